import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { EventRegistry } from '../../event-sourcing/event-registry.js';
import { StreamLease } from '../../workers/lease/stream-lease.js';
import { keepsLeases } from '../offset-store/offset-store.js';
import { FeedClient } from './feed-client.js';
import { FeedConsumerLoop } from './feed-consumer.loop.js';
import { type ResolvedConsumerOptions, validateConsumerOptions } from './feed-consumer.options.js';
import type {
  FeedConsumerOptions,
  FeedConsumerState,
  FeedConsumerStatus,
  FeedEventHandler,
} from './feed-consumer.types.js';
import { FeedDelivery, message } from './feed-delivery.js';
import { Waker } from './waker.js';
import { InvalidStateError } from '../../errors/invalid-state.error.js';

/**
 * Follows a command service's HTTP feed and hands each event, in position order, to a handler
 * (Flux's EventConsumer). Framework-free. See docs/feed.md for the delivery guarantees.
 *
 * ```ts
 * const c = new FeedConsumer({ url, name: 'balances', interval: 1000, events: [AccountCredited], offsetStore });
 * c.start(async (event, feedEvent) => { … });
 * c.pause(); c.resume(); await c.stop();
 * ```
 */
export class FeedConsumer {
  private state: FeedConsumerState = 'stopped';
  private running?: Promise<void>;
  private readonly options: ResolvedConsumerOptions;
  private readonly waker: Waker;
  private readonly delivery: FeedDelivery;
  private readonly loop: FeedConsumerLoop;

  constructor(options: FeedConsumerOptions) {
    this.options = validateConsumerOptions(options);
    const registry = new EventRegistry();
    registry.register(...options.events); // throws for a class without @DomainEvent
    this.waker = new Waker(options.keepAlive);
    const headers = options.headers;
    const client = new FeedClient(
      options.url,
      async () => (typeof headers === 'function' ? await headers() : (headers ?? {})),
      this.options.requestTimeout,
    );
    const state = () => this.state;
    // A replica that lost its lease hands out no more events and unwinds its retries.
    const deliveryState = () => (this.loop.leaseLost ? 'stopped' : this.state);
    const tracer = options.tracer;
    this.delivery = new FeedDelivery({
      ...this.options,
      registry,
      waker: this.waker,
      state: deliveryState,
      tracer,
    });
    const { offsetStore, lease, leaseTtl, name } = this.options;
    const holder = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
    const leased =
      lease && keepsLeases(offsetStore)
        ? new StreamLease(offsetStore, name, { ttlMs: leaseTtl, holder })
        : undefined;
    this.loop = new FeedConsumerLoop(
      this.options,
      client,
      this.delivery,
      this.waker,
      state,
      leased,
    );
  }

  get name(): string {
    return this.options.name;
  }

  /** Starts consuming in the background and returns at once. */
  start(handler: FeedEventHandler): void {
    if (this.running)
      throw new InvalidStateError(`Feed consumer "${this.name}" is already started`);
    this.state = 'running';
    this.running = this.loop
      .run(handler)
      .catch((error) =>
        this.options.logger.error(`Feed consumer "${this.name}" ended: ${message(error)}`),
      )
      .finally(() => {
        this.state = 'stopped';
        this.running = undefined;
      });
  }

  /** Hands out no more events after the one in progress, and closes the connection. */
  pause(): void {
    if (this.state !== 'running') return;
    this.state = 'paused';
    this.loop.interrupt();
  }

  resume(): void {
    if (this.state !== 'paused') return;
    this.state = 'running';
    this.waker.wake();
  }

  /** Stops reading; resolves once the handler in progress (if any) has finished. */
  async stop(): Promise<void> {
    this.state = 'stopped';
    this.loop.interrupt();
    await this.running;
  }

  status(): FeedConsumerStatus {
    const d = this.delivery;
    return {
      state: this.state,
      offset: d.offset,
      transport: this.loop.transport,
      lastSuccessAt: d.lastSuccessAt,
      failures: d.failures,
      totalFailures: d.totalFailures,
      lastError: d.lastError,
      lease: this.loop.leaseState,
    };
  }
}
