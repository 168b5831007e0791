import type { PoolClient } from '../broker/pools/redis-pools.js';
import type { EventStore } from '../event-store/event-store.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import type { RelayKeys } from './relay-keys.js';
import { RELAY_REWIND_LUA } from './relay-publish.lua.js';

/**
 * A point of the global log: a position and the id of the event the store holds there.
 * @internal
 */
export interface RelayCheckpoint {
  position: number;
  eventId: string;
}

/**
 * An earlier checkpoint the store still agrees with, and its index in the history list.
 * @internal
 */
export interface RelayAgreement {
  checkpoint: RelayCheckpoint;
  index: number;
}

/**
 * The checkpoint stored in Redis, or null (none, or unreadable: start from the beginning).
 * @internal
 */
export async function readRelayCheckpoint(
  redis: PoolClient,
  keys: RelayKeys,
): Promise<RelayCheckpoint | null> {
  const [position, eventId] = await redis.hmget(keys.checkpoint, 'position', 'event_id');
  const parsed = Number(position);
  if (position === null || !eventId || !Number.isSafeInteger(parsed) || parsed <= 0) return null;
  return { position: parsed, eventId };
}

/**
 * Whether the store holds `checkpoint.eventId` at `checkpoint.position`.
 * @internal
 */
export async function storeAgrees(
  store: EventStore,
  checkpoint: RelayCheckpoint,
): Promise<boolean> {
  const event = await store.getEvent(checkpoint.eventId);
  return event !== null && event.position === checkpoint.position;
}

/**
 * The newest checkpoint of the history that the store still holds, for a store that went back
 * in time (restored from a backup): events up to it were relayed and are still the same, so the
 * relay continues after it. Null when none matches. `below`: only checkpoints before that position
 * (on a cluster, the history may be ahead of the stream checkpoint that disagrees).
 * @internal
 */
export async function findRelayAgreement(
  redis: PoolClient,
  keys: RelayKeys,
  store: EventStore,
  below = Infinity,
): Promise<RelayAgreement | null> {
  const entries = await redis.lrange(keys.history, 0, -1);
  for (const [index, entry] of entries.entries()) {
    const split = entry.indexOf(':');
    const checkpoint = { position: Number(entry.slice(0, split)), eventId: entry.slice(split + 1) };
    if (split <= 0 || checkpoint.position >= below) continue;
    if (await storeAgrees(store, checkpoint)) return { checkpoint, index };
  }
  return null;
}

/**
 * Sets the checkpoint on purpose: the relay publishes the events after `position` next (0: the
 * whole log). A running leader notices at its next publish, which expects the checkpoint it read.
 * @internal
 */
export async function resetRelayCheckpoint(
  redis: PoolClient,
  keys: RelayKeys,
  store: EventStore,
  position: number,
): Promise<RelayCheckpoint | null> {
  if (!Number.isSafeInteger(position) || position < 0) {
    throw new InvalidArgumentError('position', 'use a non-negative integer position of the log');
  }
  if (position === 0) {
    await redis.multi().del(keys.checkpoint).del(keys.history).exec();
    return null;
  }
  const [event] = await store.readAll({ after: position - 1, limit: 1 });
  if (!event || event.position !== position) {
    throw new InvalidArgumentError('position', `the event store holds no event at ${position}`);
  }
  const checkpoint = { position, eventId: event.eventId };
  await redis
    .multi()
    .del(keys.checkpoint, keys.history)
    .hset(keys.checkpoint, 'position', String(position), 'event_id', event.eventId)
    .lpush(keys.history, `${position}:${event.eventId}`)
    .exec();
  return checkpoint;
}

/**
 * Moves the checkpoint back from `from` to an agreement point of its history (lock-checked):
 * 1 when done, null when the lock is not ours, 0 when the checkpoint changed meanwhile.
 * @internal
 */
export async function rewindRelayCheckpoint(
  redis: PoolClient,
  keys: RelayKeys,
  token: string,
  from: RelayCheckpoint,
  to: RelayAgreement,
): Promise<1 | 0 | null> {
  return (await redis.eval(
    RELAY_REWIND_LUA,
    3,
    keys.lock,
    keys.checkpoint,
    keys.history,
    token,
    String(from.position),
    String(to.checkpoint.position),
    to.checkpoint.eventId,
    String(to.index),
  )) as 1 | 0 | null;
}
