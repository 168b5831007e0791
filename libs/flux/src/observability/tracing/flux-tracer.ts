/** Span attributes as OpenTelemetry takes them (kept structural: no import of the API here). */
export type FluxSpanAttributes = Record<string, string | number | boolean | undefined>;

/** What the tracer needs of a stream message (a `StreamEvent` fits). */
export interface TracedMessage {
  readonly id: string;
  readonly stream: string;
  readonly deliveryCount: number;
  tag(key: string): string | undefined;
}

/** A producer span started before a batch is sent and ended when Redis answered. */
export interface FluxPublishSpan {
  /** Ends it with the message id Redis assigned, or with the error that failed the send. */
  end(messageId?: string, error?: unknown): void;
}

/**
 * The tracing facade the library's hot paths call. The default (`NOOP_FLUX_TRACER`) does nothing
 * and allocates nothing; `enableFluxTracing` swaps in the OpenTelemetry one when
 * `@opentelemetry/api` is installed. Span names and attributes follow OpenTelemetry's messaging
 * semantic conventions (`messaging.system` = `redis`, destination = the stream).
 */
export interface FluxTracer {
  /**
   * False for the no-op tracer, and for the OpenTelemetry one while no SDK is registered:
   * callers skip every other call then (nothing would be recorded).
   */
  readonly enabled: boolean;
  /** Runs `fn` in an active internal span (save, load, append). */
  trace<T>(name: string, fn: () => Promise<T>, attributes?: () => FluxSpanAttributes): Promise<T>;
  /** The W3C `traceparent` of the active span, to store in an event's metadata; else undefined. */
  traceparent(): string | undefined;
  /**
   * Runs a broker publish in a producer span; `fn` receives the tags with the span's
   * `traceparent` added (a copy: the caller's object is not changed).
   */
  publish(
    stream: string,
    tags: Record<string, string> | undefined,
    fn: (tags: Record<string, string>) => Promise<string>,
  ): Promise<string>;
  /**
   * Starts a producer span for one relayed message, child of the `traceparent` in `tags` (the
   * context saved with the event), and replaces that tag with the span's own context.
   */
  startPublish(stream: string, tags: Record<string, string>): FluxPublishSpan;
  /** Runs a flusher's pipelined send in a span counting its messages. */
  flush<T>(count: number, fn: () => Promise<T>): Promise<T>;
  /**
   * Runs one handling attempt of a message in a consumer span, child of the message's
   * `traceparent` tag. `attempt` resolves with the attempt's error (undefined: handled), which
   * marks the span as failed.
   */
  process(msg: TracedMessage, group: string, attempt: () => Promise<unknown>): Promise<unknown>;
  /** Records on the active message span (else on a span of its own) that it was dead-lettered. */
  deadLettered(msg: TracedMessage, group: string, error: unknown, deadLetterId: string): void;
  /** Runs a feed consumer's handler of one event in a consumer span, child of its metadata's context. */
  feed<T>(
    consumer: string,
    event: { event_id: string; position: number; event_type: string; metadata?: object },
    fn: () => Promise<T>,
  ): Promise<T>;
}

const run = <T>(_name: string, fn: () => Promise<T>): Promise<T> => fn();

/** The tracer when tracing is off or `@opentelemetry/api` is not installed: calls through. */
export const NOOP_FLUX_TRACER: FluxTracer = {
  enabled: false,
  trace: run,
  traceparent: () => undefined,
  publish: (_stream, tags, fn) => fn(tags ?? {}),
  startPublish: () => NOOP_PUBLISH_SPAN,
  flush: (_count, fn) => fn(),
  process: (_msg, _group, attempt) => attempt(),
  deadLettered: () => undefined,
  feed: (_consumer, _event, fn) => fn(),
};

const NOOP_PUBLISH_SPAN: FluxPublishSpan = { end: () => undefined };
