import { Redis } from 'ioredis';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { REDIS_URL } from '../broker/broker.spec-helpers.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { MemoryEventStore } from '../event-store/memory/memory-event-store.js';
import {
  findRelayAgreement,
  readRelayCheckpoint,
  resetRelayCheckpoint,
  rewindRelayCheckpoint,
  storeAgrees,
} from './relay-checkpoint.js';
import { relayKeys, type RelayKeys } from './relay-keys.js';

/** The relay's checkpoint keys as Redis holds them, against the real Redis and memory store. */
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setup(): { redis: Redis; keys: RelayKeys } {
  const redis = new Redis(REDIS_URL);
  const prefix = `flux-test:${randomBytes(6).toString('hex')}:`;
  const keys = relayKeys(prefix, 'store-1', 'r');
  cleanups.push(async () => {
    await redis.del(keys.lock, keys.checkpoint, keys.history);
    await redis.quit();
  });
  return { redis, keys };
}

async function storeWith(n: number): Promise<{ store: MemoryEventStore; ids: string[] }> {
  const store = new MemoryEventStore();
  const ids: string[] = [];
  for (let i = 1; i <= n; i++) {
    const [event] = await store.append(`a${i}`, [{ type: 'Credited', data: { i } }], {
      expectedVersion: 0,
      aggregateName: 'account',
    });
    ids.push(event.eventId);
  }
  return { store, ids };
}

describe('readRelayCheckpoint', () => {
  it('reads a stored checkpoint', async () => {
    const { redis, keys } = setup();
    await redis.hset(keys.checkpoint, 'position', '12', 'event_id', 'e-12');
    expect(await readRelayCheckpoint(redis, keys)).toEqual({ position: 12, eventId: 'e-12' });
  });

  it.each([
    ['no checkpoint', null],
    ['no event id', ['position', '12']],
    ['an empty event id', ['position', '12', 'event_id', '']],
    ['no position', ['event_id', 'e-1']],
    ['a position that is not a number', ['position', 'twelve', 'event_id', 'e-1']],
    ['a fractional position', ['position', '1.5', 'event_id', 'e-1']],
    ['position 0', ['position', '0', 'event_id', 'e-1']],
    ['a negative position', ['position', '-3', 'event_id', 'e-1']],
    ['a position past 2^53', ['position', '9007199254740993', 'event_id', 'e-1']],
  ])('treats %s as no checkpoint (relay from the start)', async (_what, fields) => {
    const { redis, keys } = setup();
    if (fields) await redis.hset(keys.checkpoint, ...fields);
    expect(await readRelayCheckpoint(redis, keys)).toBeNull();
  });
});

describe('storeAgrees', () => {
  it('holds only when the store has that event at that position', async () => {
    const { store, ids } = await storeWith(3);
    expect(await storeAgrees(store, { position: 2, eventId: ids[1] })).toBe(true);
    expect(await storeAgrees(store, { position: 3, eventId: ids[1] })).toBe(false);
    expect(await storeAgrees(store, { position: 2, eventId: randomUUID() })).toBe(false);
  });
});

describe('findRelayAgreement', () => {
  it('finds the newest history entry the store still holds, with its index', async () => {
    const { redis, keys } = setup();
    const { store, ids } = await storeWith(6);
    // Newest first: 9 and 7 name events this store does not hold (there or at all).
    await redis.rpush(
      keys.history,
      `9:${randomUUID()}`,
      `7:${ids[2]}`,
      'garbage',
      `:${ids[4]}`,
      `5:${ids[4]}`,
      `2:${ids[1]}`,
    );
    expect(await findRelayAgreement(redis, keys, store)).toEqual({
      checkpoint: { position: 5, eventId: ids[4] },
      index: 4,
    });
    // Below a position: only the entries before it count.
    expect(await findRelayAgreement(redis, keys, store, 5)).toEqual({
      checkpoint: { position: 2, eventId: ids[1] },
      index: 5,
    });
    expect(await findRelayAgreement(redis, keys, store, 2)).toBeNull();
  });

  it('finds nothing in an empty history', async () => {
    const { redis, keys } = setup();
    const { store } = await storeWith(2);
    expect(await findRelayAgreement(redis, keys, store)).toBeNull();
  });
});

describe('resetRelayCheckpoint', () => {
  it('sets the checkpoint and a fresh history at an event of the store', async () => {
    const { redis, keys } = setup();
    const { store, ids } = await storeWith(4);
    await redis.rpush(keys.history, `4:${ids[3]}`, `3:${ids[2]}`);
    expect(await resetRelayCheckpoint(redis, keys, store, 2)).toEqual({
      position: 2,
      eventId: ids[1],
    });
    expect(await redis.hgetall(keys.checkpoint)).toEqual({ position: '2', event_id: ids[1] });
    expect(await redis.lrange(keys.history, 0, -1)).toEqual([`2:${ids[1]}`]);
  });

  it('deletes checkpoint and history for 0: the whole log again', async () => {
    const { redis, keys } = setup();
    const { store, ids } = await storeWith(2);
    await redis.hset(keys.checkpoint, 'position', '2', 'event_id', ids[1]);
    await redis.rpush(keys.history, `2:${ids[1]}`);
    expect(await resetRelayCheckpoint(redis, keys, store, 0)).toBeNull();
    expect(await redis.exists(keys.checkpoint, keys.history)).toBe(0);
  });

  it.each([-1, 1.5, Number.NaN, 2 ** 53])('refuses position %s, changing nothing', async (bad) => {
    const { redis, keys } = setup();
    const { store } = await storeWith(2);
    await redis.hset(keys.checkpoint, 'position', '2', 'event_id', 'e');
    const error = await resetRelayCheckpoint(redis, keys, store, bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toBe(
      'Invalid position: use a non-negative integer position of the log',
    );
    expect(await redis.hget(keys.checkpoint, 'position')).toBe('2');
  });

  it('refuses a position the store holds no event at, naming it', async () => {
    const { redis, keys } = setup();
    const { store } = await storeWith(2);
    const error = await resetRelayCheckpoint(redis, keys, store, 3).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toBe('Invalid position: the event store holds no event at 3');
    expect(await redis.exists(keys.checkpoint)).toBe(0);
  });
});

describe('rewindRelayCheckpoint', () => {
  it('moves the checkpoint back and drops the newer history, only for the lock holder', async () => {
    const { redis, keys } = setup();
    await redis.set(keys.lock, 'token');
    await redis.hset(keys.checkpoint, 'position', '9', 'event_id', 'e9');
    await redis.rpush(keys.history, '9:e9', '7:e7', '5:e5', '2:e2');
    const to = { checkpoint: { position: 5, eventId: 'e5' }, index: 2 };
    const from = { position: 9, eventId: 'e9' };

    expect(await rewindRelayCheckpoint(redis, keys, 'other', from, to)).toBeNull();
    expect(
      await rewindRelayCheckpoint(redis, keys, 'token', { position: 8, eventId: 'e8' }, to),
    ).toBe(0);
    expect(await redis.hget(keys.checkpoint, 'position')).toBe('9');

    expect(await rewindRelayCheckpoint(redis, keys, 'token', from, to)).toBe(1);
    expect(await redis.hgetall(keys.checkpoint)).toEqual({ position: '5', event_id: 'e5' });
    expect(await redis.lrange(keys.history, 0, -1)).toEqual(['5:e5', '2:e2']);
  });
});
