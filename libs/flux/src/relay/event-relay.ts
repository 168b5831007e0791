import type { Redis } from 'ioredis';
import type { EventBroker } from '../broker/event-broker.js';
import type { EventStore } from '../event-store/event-store.js';
import type { RelayLock } from './relay-lock.js';
import { relayTags } from './relay-tags.js';

export interface EventRelayConfig {
  store: EventStore;
  broker: EventBroker;
  /** Client of the pool holding the checkpoint and the lock. */
  redis: Redis;
  lock: RelayLock;
  checkpointKey: string;
  /** Aggregate name → stream, for the streams on this relay's pool. */
  streams: Map<string, string>;
  batchSize: number;
  pollInterval: number;
  logger?: { log(message: string): void; warn(message: string): void };
}

export interface RelayStatus {
  leader: boolean;
  /** Position of the last event published (or passed over) and checkpointed. */
  checkpoint: number | null;
  published: number;
  /** Time of the last successful round, empty or not (ms since epoch). */
  lastRoundAt: number | null;
  lastError: string | null;
}

const MAX_BACKOFF = 5_000;

/**
 * Publishes the store's global log to Redis streams, in position order, at least once. The
 * checkpoint lives in Redis next to the streams: it is written only after the batch's XADDs
 * succeeded, and a failed flush is retried as is (the flusher keeps only what was not sent),
 * so an outage delays events but never drops them. A crash between publish and checkpoint
 * republishes that batch: consumers see duplicates, never gaps.
 */
export class EventRelay {
  private readonly flusher;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  /** Set by appends of this process, so one landing during a round is not slept through. */
  private dirty = false;
  private pendingUpTo?: number;
  private failures = 0;
  private readonly unsubscribe: () => void;
  readonly status: RelayStatus = { leader: false, checkpoint: null, published: 0, lastRoundAt: null, lastError: null };

  constructor(private readonly config: EventRelayConfig) {
    this.flusher = config.broker.newFlusher();
    this.unsubscribe = config.store.onAppended(() => {
      this.dirty = true;
      this.wake?.();
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /**
   * Stops after the round in progress, waiting at most `graceMs`: a round stuck on an unreachable
   * Redis is abandoned (its checkpoint is not written, so nothing is lost) and ends when the
   * connections close. The lock is released so another instance takes over.
   */
  async stop(graceMs = 5_000): Promise<void> {
    this.running = false;
    this.unsubscribe();
    this.wake?.();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs).unref()));
    await Promise.race([this.loop, grace]);
    clearTimeout(timer);
    await this.config.lock.release();
    this.status.leader = false;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const idle = await this.round();
        this.status.lastRoundAt = Date.now();
        if (this.failures > 0) this.config.logger?.log(`relay resumed after ${this.failures} failed attempt(s)`);
        this.failures = 0;
        this.status.lastError = null;
        if (idle && !this.dirty) await this.pause(this.config.pollInterval);
      } catch (error) {
        if (this.failures++ === 0) this.config.logger?.warn(`relay paused: ${(error as Error).message}; retrying`);
        this.status.lastError = (error as Error).message;
        await this.pause(Math.min(MAX_BACKOFF, 100 * 2 ** Math.min(this.failures, 6)));
      }
    }
  }

  /** One round; true when there was nothing to do. */
  private async round(): Promise<boolean> {
    const { lock, store, streams } = this.config;
    this.status.leader = await lock.hold();
    if (!this.status.leader) {
      // Another instance publishes; its progress is in the shared checkpoint.
      this.flusher.clear();
      this.pendingUpTo = undefined;
      this.status.checkpoint = null;
      return true;
    }
    if (this.pendingUpTo !== undefined) return this.finish(this.pendingUpTo, this.flusher.size).then(() => false);
    this.status.checkpoint ??= await this.readCheckpoint();
    this.dirty = false;
    const events = await store.readAll({ after: this.status.checkpoint, limit: this.config.batchSize });
    if (events.length === 0) return true;
    for (const event of events) {
      const stream = streams.get(event.aggregateName);
      if (stream) this.flusher.publish(stream, event.data, relayTags(event));
    }
    this.pendingUpTo = events[events.length - 1].position;
    await this.finish(this.pendingUpTo, this.flusher.size);
    return events.length < this.config.batchSize;
  }

  private async finish(upTo: number, count: number): Promise<void> {
    await this.flusher.flush();
    const stillLeading = await this.config.lock.commitCheckpoint(this.config.checkpointKey, upTo);
    this.pendingUpTo = undefined;
    if (!stillLeading) {
      // Leadership was lost (expired, taken over, or Redis restarted empty): forget what this
      // instance believed and start again from whatever checkpoint Redis holds once it leads.
      this.status.leader = false;
      this.status.checkpoint = null;
      this.config.logger?.warn('relay lost its lock; resuming from the checkpoint stored in Redis');
      return;
    }
    this.status.checkpoint = upTo;
    this.status.published += count;
  }

  private async readCheckpoint(): Promise<number> {
    const value = await this.config.redis.get(this.config.checkpointKey);
    const position = value === null ? 0 : Number(value);
    return Number.isSafeInteger(position) && position >= 0 ? position : 0;
  }

  private pause(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).finally(() => (this.wake = undefined));
  }
}
