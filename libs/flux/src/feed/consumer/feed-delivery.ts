import { EVENT_VERSION_KEY, type EventRegistry } from '../../event-sourcing/event-registry.js';
import { backoffDelay } from '../../workers/backoff.js';
import type { FeedEvent } from '../feed-event.js';
import type { OffsetStore } from '../offset-store/offset-store.js';
import type { FeedConsumerState, FeedEventHandler, FeedLogger } from './feed-consumer.types.js';
import type { Waker } from './waker.js';
import type { FluxTracer } from '../../observability/tracing/flux-tracer.js';

/**
 * Thrown inside the consumer to unwind when it is stopped during a retry; never escapes.
 * @internal
 */
export class ConsumerStopped extends Error {}

/** @internal */
export interface DeliveryContext {
  name: string;
  registry: EventRegistry;
  offsetStore: OffsetStore;
  logger: FeedLogger;
  waker: Waker;
  backoff: { initial: number; max: number };
  state(): FeedConsumerState;
  /** Spans per handled event (OpenTelemetry); none when absent or off. */
  tracer?: FluxTracer;
}

/**
 * Hands events to the handler in order and keeps the offset. A handled event's offset is saved
 * as soon as its handler succeeded (at least once: a crash in between redelivers one event);
 * passed-over events only move the offset in memory until the end of the batch (page or
 * received chunk), since redelivering them costs nothing.
 * @internal
 */
export class FeedDelivery {
  offset = 0;
  private saved = 0;
  lastSuccessAt: Date | null = null;
  failures = 0;
  totalFailures = 0;
  lastError: string | null = null;

  constructor(private readonly ctx: DeliveryContext) {}

  /** Starts from the stored offset. */
  restore(offset: number): void {
    this.offset = this.saved = offset;
  }

  async batch(events: FeedEvent[], handler: FeedEventHandler): Promise<void> {
    for (const event of events) {
      if (this.ctx.state() !== 'running') break;
      await this.deliver(event, handler);
    }
    await this.flush();
  }

  recordFailure(error: unknown): void {
    this.failures++;
    this.totalFailures++;
    this.lastError = error instanceof Error ? error.message : String(error);
  }

  /** Saves an offset that moved past passed-over events; a failure waits for the next save. */
  async flush(): Promise<void> {
    if (this.offset === this.saved) return;
    await this.ctx.offsetStore.save(this.ctx.name, this.offset).then(
      () => void (this.saved = this.offset),
      (error) =>
        this.ctx.logger.warn(
          `Feed consumer "${this.ctx.name}": saving offset failed: ${message(error)}`,
        ),
    );
  }

  private async deliver(feedEvent: FeedEvent, handler: FeedEventHandler): Promise<void> {
    const { position, event_type: type } = feedEvent;
    const { name } = this.ctx;
    if (position <= this.offset) return; // seen already: a reconnect may overlap
    if (!this.ctx.registry.has(type)) {
      this.ctx.logger.debug?.(
        `Feed consumer "${this.ctx.name}" passes over ${type} at position ${position}`,
      );
      this.offset = position;
      return;
    }
    for (let attempt = 0; ; attempt++) {
      try {
        const event = this.ctx.registry.instantiate(
          type,
          feedEvent.data,
          feedEvent.metadata?.[EVENT_VERSION_KEY],
          `feed event ${feedEvent.event_id} at position ${position}`,
        );
        const { tracer } = this.ctx;
        if (tracer?.enabled) await tracer.feed(name, feedEvent, () => handler(event, feedEvent));
        else await handler(event, feedEvent);
        break;
      } catch (error) {
        this.recordFailure(error);
        const delay = backoffDelay(attempt + 1, this.ctx.backoff.initial, this.ctx.backoff.max);
        this.ctx.logger.warn(
          `Feed consumer "${this.ctx.name}": handler failed on ${type} at position ${position} ` +
            `(attempt ${attempt + 1}), retrying in ${delay} ms: ${message(error)}`,
        );
        await this.waitToRetry(delay);
      }
    }
    this.offset = position;
    this.lastSuccessAt = new Date();
    this.failures = 0;
    await this.persist();
  }

  /** The handler succeeded: keep trying to record it, or the event would be handled twice. */
  private async persist(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.ctx.offsetStore.save(this.ctx.name, this.offset);
        this.saved = this.offset;
        return;
      } catch (error) {
        this.recordFailure(error);
        const delay = backoffDelay(attempt + 1, this.ctx.backoff.initial, this.ctx.backoff.max);
        this.ctx.logger.warn(
          `Feed consumer "${this.ctx.name}": saving offset failed, retrying in ${delay} ms: ${message(error)}`,
        );
        await this.waitToRetry(delay);
      }
    }
  }

  /** Backs off; holds while paused; unwinds when stopped (the event stays unacknowledged). */
  private async waitToRetry(delay: number): Promise<void> {
    if (this.ctx.state() === 'stopped') throw new ConsumerStopped();
    await this.ctx.waker.sleep(delay);
    while (this.ctx.state() === 'paused') await this.ctx.waker.sleep(60_000);
    if (this.ctx.state() === 'stopped') throw new ConsumerStopped();
  }
}

/** @internal */
export const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
