import { Cluster } from 'ioredis';
import type { StoredEvent } from '../event-store/event-store.types.js';
import { RelayCheckpointMismatchError } from '../errors/relay-checkpoint-mismatch.error.js';
import type { EventRelayConfig, RelayStatus } from './event-relay.types.js';
import { afterRelayBatch, buildRelayBatch, runRelayBatch } from './relay-batch.js';
import {
  findRelayAgreement,
  readRelayCheckpoint,
  resetRelayCheckpoint,
  rewindRelayCheckpoint,
  type RelayCheckpoint,
} from './relay-checkpoint.js';
import { RelayClusterCheckpoints, relayTargets } from './relay-cluster.js';
import { relayKeys, type RelayKeys } from './relay-keys.js';
import { RelayLock } from './relay-lock.js';
import { endSpans } from './relay-spans.js';

export type { EventRelayConfig, RelayStatus } from './event-relay.types.js';

const MAX_BACKOFF = 5_000;

/**
 * Publishes the store's global log to Redis streams, in position order, at least once. Each
 * batch goes in one script that also moves the checkpoint, only while this instance holds the
 * lock and only from the checkpoint it read: a batch is published whole with its checkpoint or
 * not at all. The checkpoint belongs to the store (its keys carry `storeId()`) and names the
 * event at its position; every round reads from that event and checks it is still there, so a
 * store that went back in time is relayed again from the newest earlier checkpoint it still
 * agrees with, or the relay stops with `RelayCheckpointMismatchError` — never skips. After a
 * Redis restart that lost the lock (and the streams), a replayed batch is refused and the relay
 * starts again from the checkpoint Redis holds (none: from the start).
 *
 * On a Redis Cluster each target stream also holds its own checkpoint in its slot
 * (`RelayClusterCheckpoints`): the relay reads the store from the lowest of them, each stream
 * takes only the events past its own, and the store-bound checkpoint and history (the lock's
 * slot) follow once every stream is published, for rewind detection and status.
 * @internal
 */
export class EventRelay {
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  /** Set by appends of this process, so one landing during a round is not slept through. */
  private dirty = false;
  private failures = 0;
  private keys?: RelayKeys;
  private lock?: RelayLock;
  /** What this leader believes; undefined: read it from Redis. */
  private checkpoint?: RelayCheckpoint | null;
  /** On a cluster: the per-stream checkpoints, and the store-bound checkpoint as read. */
  private slots?: RelayClusterCheckpoints;
  private global: RelayCheckpoint | null = null;
  private readonly unsubscribe: () => void;
  readonly status: RelayStatus = {
    leader: false,
    storeId: null,
    checkpoint: null,
    checkpointEventId: null,
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
    await this.lock?.release();
    this.status.leader = false;
  }

  /** This relay's Redis keys (they name the store, so resolving them reads `storeId()`). */
  async relayKeys(): Promise<RelayKeys> {
    if (!this.keys) {
      const storeId = await this.config.store.storeId();
      this.keys = relayKeys(this.config.keyPrefix ?? '', storeId, this.config.name);
      this.status.storeId = storeId;
    }
    return this.keys;
  }

  /** Sets the checkpoint on purpose (see `resetRelayCheckpoint`); 0 relays the whole log again. */
  async resetCheckpoint(position: number): Promise<void> {
    const { redis, store } = this.config;
    const checkpoint = await resetRelayCheckpoint(redis, await this.relayKeys(), store, position);
    await this.clusterSlots()?.reset(checkpoint);
    this.checkpoint = undefined;
    this.wake?.();
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
        if (this.failures++ === 0) {
          const message = `relay paused: ${(error as Error).message}; retrying`;
          if (error instanceof RelayCheckpointMismatchError && this.config.logger?.error)
            this.config.logger.error(message);
          else this.config.logger?.warn(message);
        }
        this.status.lastError = (error as Error).message;
        await this.pause(Math.min(MAX_BACKOFF, 100 * 2 ** Math.min(this.failures, 6)));
      }
    }
  }

  /** One round; true when there was nothing to do. */
  private async round(): Promise<boolean> {
    const keys = await this.relayKeys();
    this.lock ??= new RelayLock(this.config.redis, keys.lock, this.config.lockTtl);
    this.status.leader = await this.lock.hold();
    if (!this.status.leader) {
      // Another instance publishes; its progress is in the shared checkpoint.
      this.forget();
      return true;
    }
    if (this.checkpoint === undefined) this.remember(await this.readCheckpoint(keys));
    const from = this.checkpoint ?? null;
    this.dirty = false;
    // Read from the checkpoint's own event: it must still be there, or the store went back.
    const events = await this.config.store.readAll({
      after: from ? from.position - 1 : 0,
      limit: this.config.batchSize + (from ? 1 : 0),
    });
    if (from) {
      const [first] = events;
      if (first?.position !== from.position || first.eventId !== from.eventId) {
        await this.rewind(from);
        return false;
      }
      events.shift();
    }
    if (events.length === 0) {
      // On a cluster, an idle leader still notices a stream whose slot a failover rolled back.
      if (this.slots && !(await this.slots.verify())) {
        this.forget();
        return false;
      }
      return true;
    }
    const last = events[events.length - 1];
    const published = await this.publish(events, from, last);
    if (published === null) return true;
    this.remember({ position: last.position, eventId: last.eventId });
    this.status.published += published;
    return events.length < this.config.batchSize;
  }

  /** Publishes the relayed events among `events` and moves the checkpoint; null: not moved. */
  private async publish(
    events: StoredEvent[],
    from: RelayCheckpoint | null,
    upTo: StoredEvent,
  ): Promise<number | null> {
    const { config } = this;
    const tracer = config.instrumentation?.tracer;
    const batch = buildRelayBatch(events, config.streams, config.registry, config.codec, tracer);
    const slots = this.clusterSlots();
    const count = slots
      ? await slots
          .publish(batch, upTo)
          .catch((error: unknown) => endSpans(batch.spans, undefined, error))
      : undefined;
    if (count === null) {
      endSpans(batch.spans, null);
      this.refused('checkpoint changed');
      return null;
    }
    // On a cluster the streams are published: the store-bound checkpoint follows, empty-handed.
    if (slots) endSpans(batch.spans, []);
    const global = slots ? { ...batch, keys: [], args: [], spans: [] } : batch;
    const reply = await runRelayBatch(config.redis, this.keys!, global, {
      token: this.lock!.token,
      from: slots ? this.global : from,
      upTo,
      lockTtl: config.lockTtl,
      historySize: config.historySize ?? 64,
      checkpointTtl: config.checkpointTtl ?? 0,
    }).catch((error: unknown) => endSpans(global.spans, undefined, error));
    endSpans(global.spans, Array.isArray(reply) ? reply : null);
    if (!Array.isArray(reply)) {
      this.refused(reply === 0 ? 'checkpoint changed' : 'lock lost');
      return null;
    }
    this.global = { position: upTo.position, eventId: upTo.eventId };
    await afterRelayBatch(config.redis, batch, config.instrumentation);
    return count ?? reply.length;
  }

  /** The checkpoint to read the store from: on a cluster, the lowest of the streams'. */
  private async readCheckpoint(keys: RelayKeys): Promise<RelayCheckpoint | null> {
    const global = await readRelayCheckpoint(this.config.redis, keys);
    this.global = global;
    return (await this.clusterSlots()?.read()) ?? (this.slots ? null : global);
  }

  /** The per-stream checkpoints on a cluster pool; undefined on a single Redis. */
  private clusterSlots(): RelayClusterCheckpoints | undefined {
    const { redis, registry, streams, name, checkpointTtl } = this.config;
    if (!(redis instanceof Cluster) || !this.status.storeId) return undefined;
    const targets = relayTargets(streams, registry);
    // No stream on this pool: the store-bound keys alone share a slot, the one-Redis path runs.
    if (targets.length === 0) return undefined;
    this.slots ??= new RelayClusterCheckpoints(
      redis,
      this.status.storeId,
      name,
      targets,
      checkpointTtl,
    );
    return this.slots;
  }

  /** The store no longer holds the checkpoint's event there: go back to where both agree. */
  private async rewind(from: RelayCheckpoint): Promise<void> {
    const { redis, store } = this.config;
    const keys = this.keys!;
    const below = this.slots ? from.position : Infinity;
    const agreement = await findRelayAgreement(redis, keys, store, below);
    if (!agreement) {
      this.forget(); // read again next round: a reset in Redis takes effect at once
      throw new RelayCheckpointMismatchError(
        this.status.storeId!,
        from.position,
        from.eventId,
        keys.checkpoint,
      );
    }
    const { checkpoint } = agreement;
    const slots = this.clusterSlots();
    if (slots) {
      await slots.rewind(checkpoint);
      // The store-bound checkpoint may be ahead of the lowest stream's (or already back).
      const global = this.global;
      if (global && global.position > checkpoint.position) {
        await rewindRelayCheckpoint(redis, keys, this.lock!.token, global, agreement);
      }
      this.warnRewound(from, checkpoint);
      this.forget();
      return;
    }
    const reply = await rewindRelayCheckpoint(redis, keys, this.lock!.token, from, agreement);
    if (reply !== 1) return this.refused(reply === 0 ? 'checkpoint changed' : 'lock lost');
    this.warnRewound(from, checkpoint);
    this.remember(checkpoint);
  }

  private warnRewound(from: RelayCheckpoint, to: RelayCheckpoint): void {
    this.config.logger?.warn(
      `event store ${this.status.storeId} no longer holds event ${from.eventId} at position ` +
        `${from.position} (restored from a backup?): relaying again after position ` +
        `${to.position}, the last point both agree on`,
    );
  }

  /** A lock-checked write was refused: continue from what Redis holds once leading again. */
  private refused(why: 'lock lost' | 'checkpoint changed'): void {
    if (why === 'lock lost') {
      this.lock!.markLost();
      this.status.leader = false;
    }
    this.forget();
    this.config.logger?.warn(`relay ${why}; resuming from the checkpoint stored in Redis`);
  }

  private remember(checkpoint: RelayCheckpoint | null): void {
    this.checkpoint = checkpoint;
    this.status.checkpoint = checkpoint?.position ?? 0;
    this.status.checkpointEventId = checkpoint?.eventId ?? null;
  }

  private forget(): void {
    this.checkpoint = undefined;
    this.slots?.forget();
    this.status.checkpoint = null;
    this.status.checkpointEventId = null;
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
