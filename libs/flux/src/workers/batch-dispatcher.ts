import type { Logger } from '@nestjs/common';
import type { EventBroker } from '../broker/event-broker.js';
import type { StreamEvent } from '../broker/consume/stream-event.js';
import { describeError, publishDeadLetter } from './dead-letter.js';
import { PoisonMessageError } from '../errors/poison-message.error.js';
import { BatchFailedError } from '../errors/batch-failed.error.js';
import type { WorkerMetrics } from './worker-metrics.js';
import type { FluxTracer } from '../observability/tracing/flux-tracer.js';
import { runLanes, splitByKey } from './key-lanes.js';

export { BatchFailedError } from '../errors/batch-failed.error.js';

/** @internal */
export interface BatchDispatcherOptions {
  mode: 'single' | 'many';
  group: string;
  maxDeliveries: number;
  className: string;
  /** Messages (single mode: keys) of a batch handled at once; 1 handles the batch one by one. */
  concurrency: number;
  /** Tag whose value orders messages in single mode with `concurrency` > 1. */
  keyTag: string;
  /** Typed dispatch of one message; mutually exclusive with `handleBatch`. */
  handleOne?: (msg: StreamEvent) => Promise<void>;
  /** Raw dispatch of the whole batch (`handle(events)`). */
  handleBatch?: (events: StreamEvent[]) => Promise<void>;
  /** Spans per handled message (OpenTelemetry); none when absent or off. */
  tracer?: FluxTracer;
}

/** A lane that failed: its error, what stays pending, and which of those were never tried. */
interface LaneFailure {
  error: unknown;
  pending: StreamEvent[];
  untried: StreamEvent[];
}

const MAX_TRACKED = 10_000;

/**
 * Applies the retry policy of one worker to each batch it reads (or reclaims). A batch is split
 * into lanes run side by side (`concurrency`); each lane keeps the order of its messages and
 * stops at its first failure, so what failed and what came after it in its lane is redelivered
 * in order, while the other lanes' messages are acked. Single mode, concurrency 1: one lane, the
 * whole batch in stream order; more: one lane per key. Many mode: one lane per message (per key
 * for a raw `handle(events)`). Throws `BatchFailedError` to leave messages pending; anything
 * else it throws is a Redis failure.
 * @internal
 */
export class BatchDispatcher {
  /**
   * Deliveries a message got without its handler running (it came after a failure in its
   * lane). Subtracted from Redis' delivery count so those redeliveries do not eat into the
   * message's own `maxDeliveries`.
   */
  private readonly unattempted = new Map<string, number>();

  constructor(
    private readonly options: BatchDispatcherOptions,
    private readonly broker: EventBroker,
    private readonly metrics: WorkerMetrics,
    private readonly logger: Logger,
  ) {}

  async dispatch(events: StreamEvent[]): Promise<void> {
    const run = this.options.handleBatch
      ? (lane: StreamEvent[]) => this.runBatch(lane)
      : (lane: StreamEvent[]) => this.runInOrder(lane);
    const results = await runLanes(this.lanes(events), this.options.concurrency, run);
    const failures = results.filter((result): result is LaneFailure => result !== undefined);
    if (failures.length === 0) return;
    const pending = new Set(failures.flatMap((failure) => failure.pending));
    await Promise.all(events.filter((msg) => !pending.has(msg)).map((msg) => msg.ack()));
    // Bounded: entries of messages another process handled would otherwise stay forever.
    if (this.unattempted.size > MAX_TRACKED) this.unattempted.clear();
    for (const later of failures.flatMap((failure) => failure.untried)) {
      this.unattempted.set(later.id, (this.unattempted.get(later.id) ?? 0) + 1);
    }
    throw new BatchFailedError(failures[0].error);
  }

  private lanes(events: StreamEvent[]): StreamEvent[][] {
    const { mode, concurrency, keyTag, handleBatch } = this.options;
    if (mode === 'many' && !handleBatch) return events.map((msg) => [msg]);
    if (concurrency === 1) return [events];
    return splitByKey(events, keyTag);
  }

  /** One by one; a failure leaves it and the rest of the lane pending (after dead letters). */
  private async runInOrder(lane: StreamEvent[]): Promise<LaneFailure | undefined> {
    for (let i = 0; i < lane.length; i++) {
      const error = await this.tryOne(lane[i]);
      if (error === undefined) continue;
      if (this.exhausted(lane[i])) {
        await this.deadLetter(lane[i], error);
        continue;
      }
      return { error, pending: lane.slice(i), untried: lane.slice(i + 1) };
    }
    return undefined;
  }

  /** The lane is the unit: on failure, the messages out of deliveries go to the dead letters. */
  private async runBatch(lane: StreamEvent[]): Promise<LaneFailure | undefined> {
    const startedAt = Date.now();
    try {
      await this.options.handleBatch!(lane);
      this.metrics.handled(lane, startedAt);
      return undefined;
    } catch (error) {
      this.metrics.failure();
      this.logFailure(`batch of ${lane.length} (first ${lane[0]?.id})`, lane[0], error);
      // What the handler acked itself is done; only the rest may be out of deliveries.
      const exhausted = lane.filter((msg) => !msg.acked && this.exhausted(msg));
      for (const msg of exhausted) await this.deadLetter(msg, error);
      const pending = lane.filter((msg) => !msg.acked);
      return pending.length > 0 ? { error, pending, untried: [] } : undefined;
    }
  }

  /** Runs the typed handler; returns the error of a failed attempt, or undefined. */
  private tryOne(msg: StreamEvent): Promise<unknown> {
    const { tracer, group } = this.options;
    if (tracer?.enabled) return tracer.process(msg, group, () => this.attempt(msg));
    return this.attempt(msg);
  }

  private async attempt(msg: StreamEvent): Promise<unknown> {
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
    this.options.tracer?.deadLettered(msg, this.options.group, error, deadId);
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
