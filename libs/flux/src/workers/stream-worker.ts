import { Sleeper, backoffDelay } from './backoff.js';
import { BatchFailedError } from './batch-dispatcher.js';
import type { BrokerConsumer } from '../broker/consume/broker-consumer.js';
import { ConsumerClosedError } from '../broker/errors/consumer-closed.error.js';
import type { StreamEvent } from '../broker/consume/stream-event.js';
import { LeaseLostError } from '../errors/lease-lost.error.js';
import { ConnectionWatch } from './connection-watch.js';
import { GroupLease } from './lease/group-lease.js';
import type { StreamWorkerConfig } from './stream-worker.options.js';
import type { StreamWorkerStatus } from './stream-worker-status.js';

/** Beyond `block`, how long a read may take before its connection is presumed dead. */
/** How long shutdown waits for a loop that holds no batch (e.g. opening a consumer). */
const SHUTDOWN_GRACE_MS = 5_000;
const STALL_MARGIN_MS = 10_000;

/**
 * The loop of one consumer: read a batch, dispatch it, repeat until stopped. Handler failures
 * back off and retry; Redis failures are logged once per outage and retried until Redis is back;
 * a read that hangs past `block` is aborted and the consumer reopened, so the worker never
 * claims to run while it no longer reads.
 * @internal
 */
export class StreamWorker {
  private consumer?: BrokerConsumer;
  private loop?: Promise<void>;
  private stopped?: Promise<void>;
  private stopping = false;
  private phase: 'idle' | 'reading' | 'handling' = 'idle';
  private failedBatches = 0;
  private reclaimDue = false;
  private claiming = false;
  private reclaimTimer?: NodeJS.Timeout;
  private readonly sleeper = new Sleeper();
  private readonly watch: ConnectionWatch;
  private readonly lease?: GroupLease;

  constructor(private readonly config: StreamWorkerConfig) {
    const { stream, options, partition } = config;
    const where = partition === undefined ? '' : ` partition ${partition}`;
    const label = `stream "${stream}"${where} group "${options.group}"`;
    this.watch = new ConnectionWatch(label, config.logger);
    if (config.lease) {
      this.lease = new GroupLease(config.lease, options.leaseTtl, label, config.logger);
    }
  }

  start(): void {
    if (this.loop) return;
    this.loop = this.run();
    // A lease holder claims every pending message when it takes over; nothing else to reclaim.
    if (this.lease) return;
    // A timer only raises a flag: reclaiming runs inside the loop, never beside a batch in hand.
    this.reclaimTimer = setInterval(() => (this.reclaimDue = true), this.config.options.claimIdle);
    this.reclaimTimer.unref();
  }

  /** Stops reading, lets the batch in hand finish and be acked, then closes the consumer. */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.reclaimTimer);
    this.sleeper.wake();
    // close() ends a blocked read at once and resolves once the batch in hand was handled and
    // acked; a handler is never cut off. A reply lost to the closing connection only leaves its
    // messages pending under this consumer's name, where they are re-read or reclaimed.
    await this.consumer?.close().catch(() => undefined);
    await this.settleLoop();
    const consumer = this.consumer;
    this.consumer = undefined;
    // cleanup() keeps a consumer that still holds pending messages, so nothing is lost.
    await consumer?.cleanup().catch(() => undefined);
    // Last: the batch in hand is acked, so the stand-by that takes over starts after it.
    await this.lease?.release().catch(() => undefined);
  }

  /**
   * Waits for the loop to end. A batch in hand (handler and ack) is always awaited; a loop stuck
   * opening a consumer on an unreachable Redis holds no message and is abandoned after a grace
   * period, so shutdown never waits for ioredis to give up.
   */
  private async settleLoop(): Promise<void> {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<false>(
        (resolve) => (timer = setTimeout(resolve, SHUTDOWN_GRACE_MS, false)),
      );
      const ended = await Promise.race([
        this.loop?.then(() => true) ?? Promise.resolve(true),
        grace,
      ]);
      clearTimeout(timer);
      if (ended || this.phase !== 'handling') return;
    }
  }

  status(): StreamWorkerStatus {
    const { className, stream, options, metrics } = this.config;
    return {
      consumer: className,
      stream,
      group: options.group,
      mode: options.mode,
      partition: this.config.partition,
      lease: this.lease?.state,
      consumerName: this.consumer?.name,
      running: !!this.loop && !this.stopping,
      connected: this.watch.connected,
      lastReadAt: this.watch.lastReadAt,
      processed: metrics.processed,
      failed: metrics.failed,
      deadLettered: metrics.deadLettered,
      lastError: this.watch.lastError,
    };
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.step();
        this.failedBatches = 0;
      } catch (error) {
        if (this.stopping) break; // a failed batch stays pending for the next start
        await this.sleeper.sleep(this.delayAfter(error));
      }
    }
  }

  private async step(): Promise<void> {
    const { options } = this.config;
    if (this.lease && !(await this.holdLease())) return;
    this.consumer ??= await this.config.open();
    const consumer = this.consumer;
    if (this.reclaimDue) {
      this.reclaimDue = false;
      this.claiming = true;
      try {
        await consumer.autoClaim(options.count, options.claimIdle, this.handler);
      } finally {
        this.claiming = false;
      }
    }
    if (this.stopping) return;
    this.phase = 'reading';
    const stall = setTimeout(() => this.onStall(consumer), options.block + STALL_MARGIN_MS);
    try {
      await consumer.consume(options.count, options.block, this.handler);
      // A consumer closed under a stalled read resolves empty: that read did not succeed.
      if (this.consumer === consumer) this.watch.readSucceeded();
    } finally {
      clearTimeout(stall);
      this.phase = 'idle';
    }
  }

  private readonly handler = async (events: StreamEvent[]): Promise<void> => {
    this.watch.readSucceeded();
    this.phase = 'handling';
    const { dispatcher, metrics } = this.config;
    metrics.consumed(events.length, this.claiming);
    try {
      await dispatcher.dispatch(events);
    } catch (error) {
      metrics.acked(events.filter((msg) => msg.acked).length);
      throw error;
    }
    // The broker acks the rest of the batch right after this resolves.
    metrics.acked(events.length);
  };

  /** Single mode: true when this replica holds the lease; a stand-by waits, then returns false. */
  private async holdLease(): Promise<boolean> {
    if (this.lease!.lease.held) return true;
    const held = await this.lease!.hold(() => this.dropConsumer());
    this.watch.readSucceeded(); // a stand-by that reaches Redis is healthy
    if (held) return true;
    this.dropConsumer();
    await this.sleeper.sleep(this.lease!.standbyPollMs);
    return false;
  }

  private delayAfter(error: unknown): number {
    const { retryDelay, maxRetryDelay } = this.config.options;
    if (error instanceof LeaseLostError) {
      // A successor reads the group now; what this batch did not ack is redelivered there.
      this.config.logger.warn(error.message);
      this.lease?.lost();
      this.dropConsumer(true);
      return 0;
    }
    if (error instanceof BatchFailedError) {
      return backoffDelay(++this.failedBatches, retryDelay, maxRetryDelay);
    }
    const attempt = this.watch.readFailed(error, this.consumer?.name);
    // The broker reconnects and recreates a lost group by itself; only a closed consumer is
    // replaced (a new consumerMany name would leave the old one's pending messages to reclaim).
    if (error instanceof ConsumerClosedError) this.consumer = undefined;
    return backoffDelay(attempt, retryDelay, maxRetryDelay);
  }

  private onStall(consumer: BrokerConsumer): void {
    if (this.phase !== 'reading' || this.consumer !== consumer) return;
    // A half-open connection never answers: count it as an outage and read on a new one.
    this.watch.readFailed(
      new Error(`read exceeded block time by ${STALL_MARGIN_MS} ms`),
      consumer.name,
    );
    this.dropConsumer();
  }

  /**
   * Closes the consumer (failing a read blocked on it); the loop opens a new one. With
   * `cleanup`, it also leaves the group if it holds nothing (a replica that lost its lease).
   */
  private dropConsumer(cleanup = false): void {
    const consumer = this.consumer;
    this.consumer = undefined;
    (cleanup ? consumer?.cleanup() : consumer?.close())?.catch(() => undefined);
  }
}
