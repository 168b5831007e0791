import type { Logger } from '@nestjs/common';
import type { EventBroker } from '../broker/event-broker.js';
import type { StreamEvent } from '../broker/stream-event.js';
import { describeError, publishDeadLetter } from './dead-letter.js';
import { PoisonMessageError } from './typed-message-handler.js';
import type { WorkerMetrics } from './worker-metrics.js';

/** A batch's handler failed: its unhandled messages stay pending for a retry after a backoff. */
export class BatchFailedError extends Error {
  constructor(readonly failure: unknown) {
    super(describeError(failure), { cause: failure });
    this.name = 'BatchFailedError';
  }
}

export interface BatchDispatcherOptions {
  mode: 'single' | 'many';
  group: string;
  maxDeliveries: number;
  className: string;
  /** Typed dispatch of one message; mutually exclusive with `handleBatch`. */
  handleOne?: (msg: StreamEvent) => Promise<void>;
  /** Raw dispatch of the whole batch (`handle(events)`). */
  handleBatch?: (events: StreamEvent[]) => Promise<void>;
}

const MAX_TRACKED = 10_000;

/**
 * Applies the retry policy of one worker to each batch it reads (or reclaims). Throws
 * `BatchFailedError` to leave messages pending; anything else it throws is a Redis failure.
 */
export class BatchDispatcher {
  /**
   * Deliveries a message got without its handler running (it came after a failure in a
   * single-mode batch). Subtracted from Redis' delivery count so those redeliveries do not eat
   * into the message's own `maxDeliveries`.
   */
  private readonly unattempted = new Map<string, number>();

  constructor(
    private readonly options: BatchDispatcherOptions,
    private readonly broker: EventBroker,
    private readonly metrics: WorkerMetrics,
    private readonly logger: Logger,
  ) {}

  async dispatch(events: StreamEvent[]): Promise<void> {
    if (this.options.handleBatch) return this.dispatchRaw(events);
    if (this.options.mode === 'single') return this.dispatchInOrder(events);
    return this.dispatchEach(events);
  }

  /** One by one; at the first failure the rest stays pending so it is redelivered in order. */
  private async dispatchInOrder(events: StreamEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i++) {
      const error = await this.tryOne(events[i]);
      if (error === undefined) continue;
      if (this.exhausted(events[i])) {
        await this.deadLetter(events[i], error);
        continue;
      }
      await Promise.all(events.slice(0, i).map((msg) => msg.ack()));
      // Bounded: entries of messages another process handled would otherwise stay forever.
      if (this.unattempted.size > MAX_TRACKED) this.unattempted.clear();
      for (const later of events.slice(i + 1)) {
        this.unattempted.set(later.id, (this.unattempted.get(later.id) ?? 0) + 1);
      }
      throw new BatchFailedError(error);
    }
  }

  /** Every message is tried; only the failed ones stay pending. */
  private async dispatchEach(events: StreamEvent[]): Promise<void> {
    const handled: StreamEvent[] = [];
    let firstError: unknown;
    for (const msg of events) {
      const error = await this.tryOne(msg);
      if (error === undefined) handled.push(msg);
      else if (this.exhausted(msg)) await this.deadLetter(msg, error);
      else firstError ??= error;
    }
    if (firstError === undefined) return;
    await Promise.all(handled.map((msg) => msg.ack()));
    throw new BatchFailedError(firstError);
  }

  /** The batch is the unit: on failure, the messages out of deliveries go to the dead letters. */
  private async dispatchRaw(events: StreamEvent[]): Promise<void> {
    const startedAt = Date.now();
    try {
      await this.options.handleBatch!(events);
      this.metrics.handled(events, startedAt);
    } catch (error) {
      this.metrics.failure();
      this.logFailure(`batch of ${events.length} (first ${events[0]?.id})`, events[0], error);
      // What the handler acked itself is done; only the rest may be out of deliveries.
      const exhausted = events.filter((msg) => !msg.acked && this.exhausted(msg));
      for (const msg of exhausted) await this.deadLetter(msg, error);
      if (events.some((msg) => !msg.acked)) throw new BatchFailedError(error);
    }
  }

  /** Runs the typed handler; returns the error of a failed attempt, or undefined. */
  private async tryOne(msg: StreamEvent): Promise<unknown> {
    const startedAt = Date.now();
    try {
      await this.options.handleOne!(msg);
      this.metrics.handled([msg], startedAt);
      this.unattempted.delete(msg.id);
      return undefined;
    } catch (error) {
      if (error instanceof PoisonMessageError) {
        await this.deadLetter(msg, error);
        return undefined;
      }
      this.metrics.failure();
      this.logFailure(`message ${msg.id}`, msg, error);
      return error ?? new Error('handler rejected without a reason');
    }
  }

  private attempts(msg: StreamEvent): number {
    return msg.deliveryCount - (this.unattempted.get(msg.id) ?? 0);
  }

  private exhausted(msg: StreamEvent): boolean {
    return this.attempts(msg) >= this.options.maxDeliveries;
  }

  private async deadLetter(msg: StreamEvent, error: unknown): Promise<void> {
    const deadId = await publishDeadLetter(this.broker, msg, error);
    await msg.ack();
    this.metrics.dead();
    this.unattempted.delete(msg.id);
    this.logger.warn(
      `Message ${msg.id} of stream "${msg.stream}" (group "${msg.group}") moved to ` +
        `"${msg.stream}:dead" as ${deadId}: ${describeError(error)}`,
    );
  }

  private logFailure(what: string, msg: StreamEvent | undefined, error: unknown): void {
    const delivery = msg ? `, delivery ${this.attempts(msg)}/${this.options.maxDeliveries}` : '';
    this.logger.error(
      `${this.options.className} failed on ${what} of stream "${msg?.stream}" ` +
        `(group "${this.options.group}"${delivery}): ${describeError(error)}`,
      error instanceof Error ? error.stack : undefined,
    );
  }
}
