import { sameSlotKey } from '../broker/cluster/cluster-slot.js';
import type { PoolClient } from '../broker/pools/redis-pools.js';
import type { StreamRegistry } from '../broker/registry/stream-registry.js';
import type { StoredEvent } from '../event-store/event-store.types.js';
import type { RelayBatch } from './relay-batch.js';
import type { RelayCheckpoint } from './relay-checkpoint.js';
import { RELAY_CLUSTER_PUBLISH_LUA, RELAY_CLUSTER_SET_LUA } from './relay-cluster-publish.lua.js';

/**
 * Every stream key a relay writes to: each relayed stream, or each partition of one.
 * @internal
 */
export function relayTargets(streams: Map<string, string>, registry: StreamRegistry): string[] {
  const keys = new Set<string>();
  for (const name of new Set(streams.values())) {
    const stream = registry.get(name);
    for (const key of stream.partitionKeys ?? [stream.key]) keys.add(key);
  }
  return [...keys];
}

/**
 * The relay's progress on a Redis Cluster, where one script cannot hold the lock, the
 * store-bound checkpoint and streams of several slots: one checkpoint per target stream key,
 * `{<stream key>}:flux-relay:<storeId>:<name>:checkpoint` (a hash `{ position, event_id }`), in
 * the stream's own slot and written by the same script as the stream's messages, compare-and-set
 * against the position read. A failover that loses the tail of a stream loses that checkpoint
 * write with it, so both roll back together; the relay reads the store again from the lowest
 * checkpoint of its streams, and each stream takes only the events past its own: at least once,
 * never a gap. The compare-and-set is also the fence: a former leader that still runs finds the
 * checkpoint moved by its successor and publishes nothing more to that stream.
 * @internal
 */
export class RelayClusterCheckpoints {
  /** Target stream key → its checkpoint key. */
  private readonly keys = new Map<string, string>();
  /** Checkpoint of each target as last read or written (null: none). */
  private known?: Map<string, RelayCheckpoint | null>;

  constructor(
    private readonly redis: PoolClient,
    storeId: string,
    relayName: string,
    targets: readonly string[],
    private readonly checkpointTtl = 0,
  ) {
    // Derived now so that a stream key no hash tag can follow fails at once, naming it.
    const suffix = `:flux-relay:${storeId}:${relayName}:checkpoint`;
    for (const key of targets) this.keys.set(key, sameSlotKey(key, suffix));
  }

  /** The checkpoint key of one target stream key, in that key's slot. */
  checkpointKeyOf(streamKey: string): string {
    return this.keys.get(streamKey)!;
  }

  /** Reads every target's checkpoint; the lowest (null when one has none) is where to read from. */
  async read(): Promise<RelayCheckpoint | null> {
    const entries = await Promise.all(
      [...this.keys].map(async ([key, checkpointKey]) => {
        const [position, eventId] = await this.redis.hmget(checkpointKey, 'position', 'event_id');
        return [key, parse(position, eventId)] as const;
      }),
    );
    this.known = new Map(entries);
    return this.lowest();
  }

  /**
   * Whether every checkpoint still holds what was last read or written; when one does not (a
   * failover rolled its slot back, or it was set by hand), forgets them all: read them again.
   */
  async verify(): Promise<boolean> {
    const known = this.known;
    if (!known) return false;
    await this.read();
    const same = [...known].every(([key, was]) => {
      const now = this.known!.get(key) ?? null;
      return now?.position === was?.position && now?.eventId === was?.eventId;
    });
    if (!same) this.known = undefined;
    return same;
  }

  /** The lowest checkpoint known; null when a target has none (relay from the start). */
  lowest(): RelayCheckpoint | null {
    let lowest: RelayCheckpoint | null = null;
    for (const checkpoint of this.known?.values() ?? []) {
      if (checkpoint === null) return null;
      if (lowest === null || checkpoint.position < lowest.position) lowest = checkpoint;
    }
    return lowest;
  }

  /**
   * Publishes each target's share of `batch` (its events past its own checkpoint) and moves its
   * checkpoint to `upTo`, one script per target, the targets in parallel. The number published,
   * or null when a checkpoint was not the one read: what the others published stays (their
   * checkpoints moved with it) and the relay reads every checkpoint again.
   */
  async publish(batch: RelayBatch, upTo: StoredEvent): Promise<number | null> {
    const known = this.known!;
    const replies = await Promise.all(
      [...this.keys].map(async ([key, checkpointKey]) => {
        const from = known.get(key) ?? null;
        const args: (string | Buffer)[] = [];
        for (const entry of batch.entries) {
          if (entry.key !== key || (from && entry.position <= from.position)) continue;
          args.push(String(entry.fields.length), ...entry.fields);
        }
        const ids = (await this.redis.eval(
          RELAY_CLUSTER_PUBLISH_LUA,
          2,
          checkpointKey,
          key,
          from ? String(from.position) : '',
          String(upTo.position),
          upTo.eventId,
          String(this.checkpointTtl),
          ...args,
        )) as string[] | null;
        if (ids) known.set(key, { position: upTo.position, eventId: upTo.eventId });
        return ids;
      }),
    );
    if (replies.some((ids) => ids === null)) {
      this.known = undefined;
      return null;
    }
    return replies.reduce((sum, ids) => sum + ids!.length, 0);
  }

  /**
   * Moves every checkpoint past `to` back to it (null: deletes them, the whole log again), each
   * only if it still holds what was read; then forgets, so the next round reads them again.
   */
  async rewind(to: RelayCheckpoint | null): Promise<void> {
    const known = this.known ?? new Map<string, RelayCheckpoint | null>();
    await Promise.all(
      [...this.keys].map(async ([key, checkpointKey]) => {
        const from = known.get(key) ?? null;
        if (from === null || (to !== null && from.position <= to.position)) return;
        await this.redis.eval(
          RELAY_CLUSTER_SET_LUA,
          1,
          checkpointKey,
          String(from.position),
          to ? String(to.position) : '',
          to?.eventId ?? '',
        );
      }),
    );
    this.known = undefined;
  }

  /** Sets every checkpoint on purpose (null: deletes them); the next round reads them again. */
  async reset(to: RelayCheckpoint | null): Promise<void> {
    await Promise.all(
      [...this.keys.values()].map((checkpointKey) =>
        to
          ? this.redis.hset(checkpointKey, 'position', String(to.position), 'event_id', to.eventId)
          : this.redis.del(checkpointKey),
      ),
    );
    this.known = undefined;
  }

  /** Forgets what was read: the next round reads every checkpoint again. */
  forget(): void {
    this.known = undefined;
  }
}

function parse(position: string | null, eventId: string | null): RelayCheckpoint | null {
  const parsed = Number(position);
  if (position === null || !eventId || !Number.isSafeInteger(parsed) || parsed <= 0) return null;
  return { position: parsed, eventId };
}
