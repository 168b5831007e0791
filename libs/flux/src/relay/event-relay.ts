import type { Redis } from 'ioredis';
import { BODY_FIELD } from '../broker/broker.constants.js';
import type { MessageCodec } from '../broker/message-codec.js';
import { encodeBody, tagFields } from '../broker/message-fields.js';
import type { StreamRegistry } from '../broker/stream-registry.js';
import type { EventStore } from '../event-store/event-store.js';
import type { StoredEvent } from '../event-store/event-store.types.js';
import { countPublished } from '../broker/event-flusher.js';
import type { FluxInstrumentation } from '../observability/flux-instrumentation.js';
import type { RelayLock } from './relay-lock.js';
import { RELAY_PUBLISH_LUA } from './relay-publish.lua.js';
import { relayTags } from './relay-tags.js';

export interface EventRelayConfig {
  store: EventStore;
  /** Resolves stream names to keys (and caps) on this relay's pool. */
  registry: StreamRegistry;
  /** The broker's message encoding, so relayed messages read like published ones. */
  codec: MessageCodec;
  /** Client of the pool holding the streams, the checkpoint and the lock. */
  redis: Redis;
  lock: RelayLock;
  checkpointKey: string;
  /** Aggregate name → stream, for the streams on this relay's pool. */
  streams: Map<string, string>;
  batchSize: number;
  pollInterval: number;
  /** Counts relayed messages as published (metrics). */
  instrumentation?: FluxInstrumentation;
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
 * Publishes the store's global log to Redis streams, in position order, at least once. Each
 * batch goes in one script that also moves the checkpoint, and only while this instance holds
 * the lock: a batch is published whole with its checkpoint or not at all. After a Redis restart
 * that lost the lock (and the streams), a batch replayed by the client is refused instead of
 * landing before the events the restart wiped; the relay then starts again from the checkpoint
 * Redis holds (none: from the start). An outage delays events, never drops them; a batch whose
 * reply was lost may be published twice, in order.
 */
export class EventRelay {
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  /** Set by appends of this process, so one landing during a round is not slept through. */
  private dirty = false;
  private failures = 0;
  private readonly unsubscribe: () => void;
  readonly status: RelayStatus = {
    leader: false,
    checkpoint: null,
    published: 0,
    lastRoundAt: null,
    lastError: null,
  };

  constructor(private readonly config: EventRelayConfig) {
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
        if (this.failures > 0)
          this.config.logger?.log(`relay resumed after ${this.failures} failed attempt(s)`);
        this.failures = 0;
        this.status.lastError = null;
        if (idle && !this.dirty) await this.pause(this.config.pollInterval);
      } catch (error) {
        if (this.failures++ === 0)
          this.config.logger?.warn(`relay paused: ${(error as Error).message}; retrying`);
        this.status.lastError = (error as Error).message;
        await this.pause(Math.min(MAX_BACKOFF, 100 * 2 ** Math.min(this.failures, 6)));
      }
    }
  }

  /** One round; true when there was nothing to do. */
  private async round(): Promise<boolean> {
    const { lock, store } = this.config;
    this.status.leader = await lock.hold();
    if (!this.status.leader) {
      // Another instance publishes; its progress is in the shared checkpoint.
      this.status.checkpoint = null;
      return true;
    }
    this.status.checkpoint ??= await this.readCheckpoint();
    this.dirty = false;
    const events = await store.readAll({
      after: this.status.checkpoint,
      limit: this.config.batchSize,
    });
    if (events.length === 0) return true;
    const upTo = events[events.length - 1].position;
    const published = await this.publish(events, upTo);
    if (published === null) {
      // The lock is gone (expired, taken over, or Redis restarted empty): forget what this
      // instance believed and continue from the checkpoint Redis holds once it leads again.
      lock.markLost();
      this.status.leader = false;
      this.status.checkpoint = null;
      this.config.logger?.warn('relay lost its lock; resuming from the checkpoint stored in Redis');
      return true;
    }
    this.status.checkpoint = upTo;
    this.status.published += published;
    return events.length < this.config.batchSize;
  }

  /** Publishes the relayed events among `events` and moves the checkpoint; null: lock lost. */
  private async publish(events: StoredEvent[], upTo: number): Promise<number | null> {
    const { registry, codec, streams, lock } = this.config;
    const keys = [lock.key, this.config.checkpointKey];
    const args: (string | Buffer)[] = [lock.token, String(upTo), String(lock.ttlMs)];
    const capped = new Map<string, number>();
    const published: { name: string }[] = [];
    for (const event of events) {
      const stream = streams.get(event.aggregateName);
      if (!stream) continue;
      const registered = registry.get(stream);
      const tags = tagFields(stream, relayTags(event)) ?? [];
      keys.push(registered.key);
      published.push(registered);
      args.push(
        String(2 + tags.length),
        BODY_FIELD,
        encodeBody(codec, stream, event.data),
        ...tags,
      );
      if (registered.maxLen !== undefined) capped.set(registered.key, registered.maxLen);
    }
    const ids = (await this.config.redis.eval(RELAY_PUBLISH_LUA, keys.length, ...keys, ...args)) as
      string[] | null;
    if (!ids) return null;
    const { instrumentation } = this.config;
    if (instrumentation?.active) countPublished(instrumentation, published);
    const client = this.config.redis as Redis & {
      fluxTrim?(key: string, maxLen: number): Promise<number>;
    };
    // Trimming never drops what a group has not acknowledged; a failed trim is retried next batch.
    for (const [key, maxLen] of capped) await client.fluxTrim?.(key, maxLen).catch(() => undefined);
    return ids.length;
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
