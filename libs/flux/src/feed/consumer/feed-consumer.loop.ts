import { backoffDelay } from '../../workers/backoff.js';
import { standbyPollMs, type StreamLease } from '../../workers/lease/stream-lease.js';
import type { FeedClient } from './feed-client.js';
import type { ResolvedConsumerOptions } from './feed-consumer.options.js';
import type { FeedConsumerState, FeedEventHandler } from './feed-consumer.types.js';
import { ConsumerStopped, type FeedDelivery, message } from './feed-delivery.js';
import type { Waker } from './waker.js';
import { FeedProtocolError } from '../../errors/feed-protocol.error.js';

/** How long auto mode polls before asking a server without SSE for a stream again. */
const SSE_REPROBE_MS = 60_000;

/**
 * The consumer's reading loop: follows the SSE stream or polls pages, reconnecting with capped
 * exponential backoff while the server is unreachable. All waits go through the `Waker`, so
 * pause and stop take effect at once; `interrupt()` closes the connection in use.
 * @internal
 */
export class FeedConsumerLoop {
  transport: 'sse' | 'poll' | null = null;
  leaseState: 'held' | 'standby' | null = null;
  private connection?: AbortController;
  /** Consecutive failed connections or requests: the exponent of the reconnect backoff. */
  private attempt = 0;

  constructor(
    private readonly options: ResolvedConsumerOptions,
    private readonly client: FeedClient,
    private readonly delivery: FeedDelivery,
    private readonly waker: Waker,
    private readonly state: () => FeedConsumerState,
    /** With a lease, the loop follows the feed only while it holds it. */
    private readonly lease?: StreamLease,
  ) {}

  /** A lease was taken and is gone: stop handing out events. */
  get leaseLost(): boolean {
    return this.lease !== undefined && this.leaseState === 'held' && !this.lease.held;
  }

  interrupt(): void {
    this.connection?.abort();
    this.waker.wake();
  }

  async run(handler: FeedEventHandler): Promise<void> {
    try {
      while (this.state() !== 'stopped') {
        if (this.lease && !(await this.standBy())) return;
        // A new holder starts from the stored offset, where its predecessor stopped.
        const offset = await this.retrying('reading the offset', () =>
          this.options.offsetStore.get(this.options.name),
        );
        if (offset === undefined) return;
        this.delivery.restore(offset);
        await this.follow(handler);
      }
    } finally {
      this.transport = null;
      await this.lease?.release().catch(() => undefined);
      this.leaseState = null;
    }
  }

  /** Waits for the lease; false when stopped first. */
  private async standBy(): Promise<boolean> {
    const { name, leaseTtl, logger } = this.options;
    const poll = standbyPollMs(leaseTtl);
    while (this.state() !== 'stopped') {
      try {
        if (await this.lease!.acquire()) {
          this.leaseState = 'held';
          logger.log?.(`Feed consumer "${name}" holds its lease: this replica follows the feed.`);
          this.lease!.keep(() => {
            logger.warn(`Feed consumer "${name}" lost its lease; standing by.`);
            this.interrupt();
          });
          return true;
        }
        this.leaseState = 'standby';
        this.attempt = 0;
        await this.waker.sleep(poll);
      } catch (error) {
        await this.backOff('taking the lease', error);
      }
    }
    return false;
  }

  /** Reads the feed until stopped or, with a lease, until the lease is lost. */
  private async follow(handler: FeedEventHandler): Promise<void> {
    const { mode } = this.options;
    let sse = mode !== 'poll';
    let probeAt = 0;
    while (this.state() !== 'stopped' && !this.leaseLost) {
      if (this.state() === 'paused') {
        await this.waker.sleep(60_000);
        continue;
      }
      // In auto mode a server without SSE is asked again now and then: it may be upgraded.
      if (!sse && mode === 'auto' && Date.now() >= probeAt) sse = true;
      const connection = (this.connection = new AbortController());
      try {
        if (sse && (await this.stream(handler, connection)) === 'unsupported') {
          if (mode === 'sse') throw new FeedProtocolError('offers no SSE stream', this.options.url);
          const logger = this.options.logger;
          (probeAt === 0 ? logger.log : logger.debug)?.call(
            logger,
            `Feed consumer "${this.options.name}": no SSE stream at ${this.options.url}, polling`,
          );
          sse = false;
          probeAt = Date.now() + SSE_REPROBE_MS;
          continue;
        }
        if (!sse && (await this.poll(handler, connection.signal))) continue; // full page: more waits
        // The poll interval, or a short pause before reopening a stream the server ended.
        await this.waker.sleep(sse ? this.options.backoff.initial : this.options.interval);
      } catch (error) {
        if (error instanceof ConsumerStopped || this.state() !== 'running' || this.leaseLost) {
          continue;
        }
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

  /** Follows the SSE stream until the server ends it or the consumer pauses or stops. */
  private async stream(
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
        if (this.state() !== 'running' || this.leaseLost) break;
        arm();
      }
    } finally {
      clearTimeout(idle);
    }
    return 'ended';
  }

  private async backOff(what: string, error: unknown): Promise<void> {
    this.delivery.recordFailure(error);
    const { initial, max } = this.options.backoff;
    const delay = backoffDelay(++this.attempt, initial, max);
    this.options.logger.warn(
      `Feed consumer "${this.options.name}": ${what} failed, retrying in ${delay} ms: ${message(error)}`,
    );
    await this.waker.sleep(delay);
  }

  /** Retries `fn` with backoff until it succeeds; undefined when stopped first. */
  private async retrying<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    while (this.state() !== 'stopped') {
      try {
        return await fn();
      } catch (error) {
        await this.backOff(what, error);
      }
    }
    return undefined;
  }
}
