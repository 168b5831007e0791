import { EventRegistry } from '../../event-sourcing/event-registry.js';
import { FeedClient } from './feed-client.js';
import type {
  FeedConsumerOptions,
  FeedConsumerState,
  FeedConsumerStatus,
  FeedEventHandler,
  FeedLogger,
} from './feed-consumer.types.js';
import { ConsumerStopped, FeedDelivery, message } from './feed-delivery.js';
import { validateConsumerOptions } from './feed-consumer.options.js';
import { backoffDelay } from '../../workers/backoff.js';
import { Waker } from './waker.js';

/** How long auto mode polls before asking a server without SSE for a stream again. */
const SSE_REPROBE_MS = 60_000;

/**
 * Follows a command service's HTTP feed and hands each event, in position order, to a handler
 * (Flux's EventConsumer). Framework-free. See docs/feed.md for the delivery guarantees.
 */
export class FeedConsumer {
  private state: FeedConsumerState = 'stopped';
  private transport: 'sse' | 'poll' | null = null;
  private running?: Promise<void>;
  private connection?: AbortController;
  /** Consecutive failed connections or requests: the exponent of the reconnect backoff. */
  private attempt = 0;
  private readonly options: ReturnType<typeof validateConsumerOptions>;
  private readonly waker: Waker;
  private readonly client: FeedClient;
  private readonly delivery: FeedDelivery;
  private readonly logger: FeedLogger;

  constructor(options: FeedConsumerOptions) {
    this.options = validateConsumerOptions(options);
    const registry = new EventRegistry();
    registry.register(...options.events);
    this.logger = this.options.logger;
    this.waker = new Waker(options.keepAlive);
    const headers = options.headers;
    this.client = new FeedClient(
      options.url,
      async () => (typeof headers === 'function' ? await headers() : (headers ?? {})),
      this.options.requestTimeout,
    );
    this.delivery = new FeedDelivery({
      name: options.name,
      registry,
      offsetStore: options.offsetStore,
      logger: this.logger,
      waker: this.waker,
      backoff: this.options.backoff,
      state: () => this.state,
    });
  }

  get name(): string {
    return this.options.name;
  }

  /** Starts consuming in the background and returns at once. */
  start(handler: FeedEventHandler): void {
    if (this.running) throw new Error(`Feed consumer "${this.name}" is already started`);
    this.state = 'running';
    this.running = this.run(handler)
      .catch((error) => this.logger.error(`Feed consumer "${this.name}" ended: ${message(error)}`))
      .finally(() => {
        this.state = 'stopped';
        this.transport = null;
        this.running = undefined;
      });
  }

  /** Stops handing out events after the one in progress; the connection is closed. */
  pause(): void {
    if (this.state !== 'running') return;
    this.state = 'paused';
    this.connection?.abort();
    this.waker.wake();
  }

  resume(): void {
    if (this.state !== 'paused') return;
    this.state = 'running';
    this.waker.wake();
  }

  /** Stops reading and resolves once the handler in progress (if any) has finished. */
  async stop(): Promise<void> {
    this.state = 'stopped';
    this.connection?.abort();
    this.waker.wake();
    await this.running;
  }

  status(): FeedConsumerStatus {
    const d = this.delivery;
    return {
      state: this.state,
      offset: d.offset,
      transport: this.transport,
      lastSuccessAt: d.lastSuccessAt,
      failures: d.failures,
      totalFailures: d.totalFailures,
      lastError: d.lastError,
    };
  }

  private async run(handler: FeedEventHandler): Promise<void> {
    const offset = await this.retrying('reading the offset', () =>
      this.options.offsetStore.get(this.name),
    );
    if (offset === undefined) return;
    this.delivery.restore(offset);
    let sse = this.options.mode !== 'poll';
    let probeAt = 0;
    while (this.state !== 'stopped') {
      if (this.state === 'paused') {
        await this.waker.sleep(60_000);
        continue;
      }
      // In auto mode a server without SSE is asked again now and then: it may be upgraded.
      if (!sse && this.options.mode === 'auto' && Date.now() >= probeAt) sse = true;
      const connection = (this.connection = new AbortController());
      try {
        if (sse && (await this.follow(handler, connection)) === 'unsupported') {
          if (this.options.mode === 'sse')
            throw new Error(`${this.options.url} offers no SSE stream`);
          const log = probeAt === 0 ? this.logger.log : this.logger.debug;
          log?.call(
            this.logger,
            `Feed consumer "${this.name}": no SSE stream at ${this.options.url}, polling`,
          );
          sse = false;
          probeAt = Date.now() + SSE_REPROBE_MS;
          continue;
        } else if (!sse && (await this.poll(handler, connection.signal))) {
          continue; // a full page: more may be waiting
        }
        // Poll interval, or a short pause before reopening a stream the server ended.
        await this.waker.sleep(sse ? this.options.backoff.initial : this.options.interval);
      } catch (error) {
        if (error instanceof ConsumerStopped || this.state !== 'running') continue;
        await this.backOff('reading the feed', error);
      } finally {
        this.connection = undefined;
      }
    }
  }

  /** One page; true when it was full. */
  private async poll(handler: FeedEventHandler, signal: AbortSignal): Promise<boolean> {
    const events = await this.client.page(this.delivery.offset, this.options.pageSize, signal);
    this.transport = 'poll';
    this.attempt = 0;
    await this.delivery.batch(events, handler);
    return events.length >= this.options.pageSize;
  }

  /** Follows the SSE stream until the server ends it, the consumer pauses or stops. */
  private async follow(
    handler: FeedEventHandler,
    connection: AbortController,
  ): Promise<'unsupported' | 'ended'> {
    const body = await this.client.openStream(this.delivery.offset, connection.signal);
    if (body === 'unsupported') return body;
    this.transport = 'sse';
    this.attempt = 0;
    // A connection that went silent (no event, no heartbeat) may be dead behind a proxy.
    let idle: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(idle);
      idle = setTimeout(
        () => connection.abort(new Error('SSE connection idle')),
        this.options.idleTimeout,
      );
      idle.unref();
    };
    try {
      arm();
      for await (const batch of this.client.read(body, arm)) {
        clearTimeout(idle); // a slow or retried handler is not a silent server
        await this.delivery.batch(batch, handler);
        if (this.state !== 'running') break;
        arm();
      }
    } finally {
      clearTimeout(idle);
    }
    return 'ended';
  }

  private async backOff(what: string, error: unknown): Promise<void> {
    this.delivery.recordFailure(error);
    const delay = backoffDelay(
      ++this.attempt,
      this.options.backoff.initial,
      this.options.backoff.max,
    );
    this.logger.warn(
      `Feed consumer "${this.name}": ${what} failed, retrying in ${delay} ms: ${message(error)}`,
    );
    await this.waker.sleep(delay);
  }

  /** Retries `fn` with backoff until it succeeds; undefined when stopped first. */
  private async retrying<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    while (this.state !== 'stopped') {
      try {
        return await fn();
      } catch (error) {
        await this.backOff(what, error);
      }
    }
    return undefined;
  }
}
