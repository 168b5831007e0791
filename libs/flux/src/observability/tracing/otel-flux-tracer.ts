import type * as OtelApi from '@opentelemetry/api';
import type {
  FluxPublishSpan,
  FluxSpanAttributes,
  FluxTracer,
  TracedMessage,
} from './flux-tracer.js';
import { extractTraceparent, injectTraceparent } from './trace-context.js';

type Api = typeof OtelApi;
type Span = OtelApi.Span;

/** The instrumentation scope of every span; its version follows the package's major. */
export const FLUX_TRACER_NAME = 'nestjs-flux';

const SYSTEM = 'redis';

/**
 * The OpenTelemetry implementation of the facade, over the API package only: spans go wherever
 * the application's SDK sends them, and are non-recording no-ops when it registered none.
 * Attribute objects are built only for recording spans.
 * @internal
 */
export class OtelFluxTracer implements FluxTracer {
  private readonly tracer: OtelApi.Tracer;
  /** The API's no-op provider: what the global proxy delegates to until an SDK registers. */
  private readonly noop: OtelApi.TracerProvider;
  private registered = false;

  constructor(private readonly api: Api) {
    this.tracer = api.trace.getTracer(FLUX_TRACER_NAME);
    this.noop = new api.ProxyTracerProvider().getDelegate();
  }

  /**
   * Whether an SDK is registered: until one is, the hot paths skip every hook (no span object,
   * no context, no tag). Checked on each call until true (two property reads), so an SDK
   * registered after the app started is picked up.
   */
  get enabled(): boolean {
    if (this.registered) return true;
    const provider = this.api.trace.getTracerProvider() as Partial<OtelApi.ProxyTracerProvider>;
    this.registered =
      typeof provider.getDelegate !== 'function' || provider.getDelegate() !== this.noop;
    return this.registered;
  }

  trace<T>(name: string, fn: () => Promise<T>, attributes?: () => FluxSpanAttributes) {
    return this.tracer.startActiveSpan(name, (span) => {
      if (attributes && span.isRecording()) span.setAttributes(attributes());
      return this.settle(span, fn());
    });
  }

  traceparent(): string | undefined {
    if (!this.enabled) return undefined;
    return injectTraceparent(this.api, this.api.context.active());
  }

  publish(
    stream: string,
    tags: Record<string, string> | undefined,
    fn: (tags: Record<string, string>) => Promise<string>,
  ): Promise<string> {
    const { api } = this;
    const span = this.tracer.startSpan(`publish ${stream}`, { kind: api.SpanKind.PRODUCER });
    if (span.isRecording()) span.setAttributes(messaging(stream, 'publish'));
    const context = api.trace.setSpan(api.context.active(), span);
    const traced = { ...tags };
    const traceparent = injectTraceparent(api, context);
    if (traceparent) traced.traceparent = traceparent;
    return api.context
      .with(context, () => fn(traced))
      .then(
        (id) => {
          if (span.isRecording()) span.setAttribute('messaging.message.id', id);
          span.end();
          return id;
        },
        (error: unknown) => this.fail(span, error),
      );
  }

  startPublish(stream: string, tags: Record<string, string>): FluxPublishSpan {
    const { api } = this;
    const parent = extractTraceparent(api, tags.traceparent);
    const span = this.tracer.startSpan(
      `publish ${stream}`,
      { kind: api.SpanKind.PRODUCER },
      parent,
    );
    if (span.isRecording()) span.setAttributes(messaging(stream, 'publish'));
    const traceparent = injectTraceparent(api, api.trace.setSpan(parent, span));
    if (traceparent) tags.traceparent = traceparent;
    return {
      end: (messageId, error) => {
        if (error !== undefined) return void this.fail(span, error).catch(() => undefined);
        if (messageId && span.isRecording()) span.setAttribute('messaging.message.id', messageId);
        span.end();
      },
    };
  }

  flush<T>(count: number, fn: () => Promise<T>): Promise<T> {
    return this.tracer.startActiveSpan('flush', { kind: this.api.SpanKind.PRODUCER }, (span) => {
      if (span.isRecording()) {
        span.setAttributes({
          'messaging.system': SYSTEM,
          'messaging.operation.type': 'publish',
          'messaging.operation.name': 'flush',
          'messaging.batch.message_count': count,
        });
      }
      return this.settle(span, fn());
    });
  }

  process(msg: TracedMessage, group: string, attempt: () => Promise<unknown>): Promise<unknown> {
    const { api } = this;
    const parent = extractTraceparent(api, msg.tag('traceparent'));
    const span = this.tracer.startSpan(
      `process ${msg.stream}`,
      { kind: api.SpanKind.CONSUMER },
      parent,
    );
    if (span.isRecording()) span.setAttributes(messageAttributes(msg, group));
    return api.context.with(api.trace.setSpan(parent, span), attempt).then(
      (error) => {
        if (error !== undefined) this.recordError(span, error);
        span.end();
        return error;
      },
      (error: unknown) => this.fail(span, error),
    );
  }

  deadLettered(msg: TracedMessage, group: string, error: unknown, deadLetterId: string): void {
    const { api } = this;
    const active = api.trace.getActiveSpan();
    const owned = !active || !active.isRecording();
    const span = owned
      ? this.tracer.startSpan(
          `dead-letter ${msg.stream}`,
          { kind: api.SpanKind.CONSUMER, attributes: messageAttributes(msg, group) },
          extractTraceparent(api, msg.tag('traceparent')),
        )
      : active;
    if (!span.isRecording()) return void span.end();
    span.addEvent('flux.dead_lettered', {
      'flux.dead_letter.stream': `${msg.stream}:dead`,
      'flux.dead_letter.id': deadLetterId,
      'exception.message': error instanceof Error ? error.message : String(error),
      'exception.type': error instanceof Error ? error.name : typeof error,
    });
    this.recordError(span, error);
    if (owned) span.end();
  }

  feed<T>(
    consumer: string,
    event: { event_id: string; position: number; event_type: string; metadata?: object },
    fn: () => Promise<T>,
  ): Promise<T> {
    const { api } = this;
    const metadata = event.metadata as { traceparent?: unknown } | undefined;
    const parent = extractTraceparent(api, metadata?.traceparent);
    const span = this.tracer.startSpan(
      `process ${consumer}`,
      { kind: api.SpanKind.CONSUMER },
      parent,
    );
    if (span.isRecording()) {
      span.setAttributes({
        'messaging.system': 'http',
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'process',
        'messaging.destination.name': consumer,
        'messaging.consumer.group.name': consumer,
        'messaging.message.id': event.event_id,
        'flux.event.type': event.event_type,
        'flux.event.position': event.position,
      });
    }
    return this.settle(span, api.context.with(api.trace.setSpan(parent, span), fn));
  }

  private settle<T>(span: Span, promise: Promise<T>): Promise<T> {
    return promise.then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => this.fail(span, error),
    );
  }

  private fail(span: Span, error: unknown): Promise<never> {
    this.recordError(span, error);
    span.end();
    return Promise.reject(error);
  }

  private recordError(span: Span, error: unknown): void {
    if (!span.isRecording()) return;
    if (error instanceof Error) span.recordException(error);
    span.setStatus({
      code: this.api.SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
  }
}

function messaging(stream: string, operation: string): FluxSpanAttributes {
  return {
    'messaging.system': SYSTEM,
    'messaging.destination.name': stream,
    'messaging.operation.type': operation,
    'messaging.operation.name': operation,
  };
}

/** One literal (no spread): this runs for every message a worker handles. */
function messageAttributes(msg: TracedMessage, group: string): OtelApi.Attributes {
  const attributes: OtelApi.Attributes = {
    'messaging.system': SYSTEM,
    'messaging.destination.name': msg.stream,
    'messaging.operation.type': 'process',
    'messaging.operation.name': 'process',
    'messaging.message.id': msg.id,
    'messaging.consumer.group.name': group,
    'messaging.redis.delivery_count': msg.deliveryCount,
  };
  const partition = msg.tag('partition');
  if (partition !== undefined) attributes['messaging.destination.partition.id'] = partition;
  const type = msg.tag('type');
  if (type !== undefined) attributes['flux.event.type'] = type;
  return attributes;
}
