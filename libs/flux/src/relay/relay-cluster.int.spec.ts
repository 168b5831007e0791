import { afterEach, describe, expect, it } from 'vitest';
import { createTestBroker, type TestBroker } from '../broker/broker.spec-helpers.js';
import { MessageCodec } from '../broker/codec/message-codec.js';
import { MemoryEventStore } from '../event-store/memory/memory-event-store.js';
import type { StoredEvent } from '../event-store/event-store.types.js';
import { buildRelayBatch } from './relay-batch.js';
import { RelayClusterCheckpoints, relayTargets } from './relay-cluster.js';

/**
 * The per-stream checkpoints the relay keeps on a Redis Cluster. Each script touches one slot
 * (a stream and its checkpoint), so they run the same on a single Redis: the real one here. The
 * relay's cluster path itself (EventRelay on an ioredis Cluster) is test/cluster/relay.cluster.
 */
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const STREAMS = new Map([
  ['account', 'accounts'],
  ['memo', 'memos'],
]);

async function setup(ttl?: number) {
  const test = createTestBroker(['accounts', 'memos']);
  cleanups.push(() => test.close());
  const store = new MemoryEventStore();
  const targets = relayTargets(STREAMS, test.registry);
  const slots = new RelayClusterCheckpoints(test.admin, 'store-1', 'r', targets, ttl);
  return { test, store, slots, accounts: test.key('accounts'), memos: test.key('memos') };
}

/** Appends events alternating between the two aggregates; returns them in position order. */
async function save(store: MemoryEventStore, n: number, from = 1): Promise<StoredEvent[]> {
  const saved: StoredEvent[] = [];
  for (let i = from; i < from + n; i++) {
    const aggregate = i % 2 ? 'account' : 'memo';
    const [event] = await store.append(`${aggregate}-${i}`, [{ type: 'Noted', data: { i } }], {
      expectedVersion: 0,
      aggregateName: aggregate,
    });
    saved.push(event);
  }
  return saved;
}

function batchOf(test: TestBroker, events: StoredEvent[]) {
  return buildRelayBatch(events, STREAMS, test.registry, new MessageCodec());
}

async function positions(test: TestBroker, key: string): Promise<number[]> {
  const entries = await test.admin.xrange(key, '-', '+');
  return entries.map(([, f]) => Number(f[f.indexOf('position') + 1]));
}

describe('relayTargets', () => {
  it('lists every stream key once, each partition of a partitioned stream', () => {
    const test = createTestBroker(['accounts', { name: 'carts', partitions: 3 }]);
    cleanups.push(() => test.close());
    const streams = new Map([
      ['account', 'accounts'],
      ['ledger', 'accounts'],
      ['cart', 'carts'],
    ]);
    expect(relayTargets(streams, test.registry)).toEqual([
      test.key('accounts'),
      test.key('carts:p0'),
      test.key('carts:p1'),
      test.key('carts:p2'),
    ]);
  });
});

describe('RelayClusterCheckpoints', () => {
  it("keeps each stream's checkpoint in the stream's slot", async () => {
    const { slots, accounts } = await setup();
    expect(slots.checkpointKeyOf(accounts)).toBe(`{${accounts}}:flux-relay:store-1:r:checkpoint`);
  });

  it('reads the lowest checkpoint of the streams; none when one stream has none', async () => {
    const { test, slots, accounts, memos } = await setup();
    expect(await slots.read()).toBeNull();
    await test.admin.hset(slots.checkpointKeyOf(accounts), 'position', '7', 'event_id', 'e7');
    expect(await slots.read()).toBeNull();
    await test.admin.hset(slots.checkpointKeyOf(memos), 'position', '4', 'event_id', 'e4');
    expect(await slots.read()).toEqual({ position: 4, eventId: 'e4' });
    expect(slots.lowest()).toEqual({ position: 4, eventId: 'e4' });
    await test.admin.hset(slots.checkpointKeyOf(memos), 'position', '9');
    expect(await slots.read()).toEqual({ position: 7, eventId: 'e7' });
    // An unreadable checkpoint counts as none.
    for (const bad of ['0', '-1', '2.5', 'x']) {
      await test.admin.hset(slots.checkpointKeyOf(memos), 'position', bad);
      expect(await slots.read()).toBeNull();
    }
    await test.admin.hset(slots.checkpointKeyOf(memos), 'position', '9', 'event_id', '');
    expect(await slots.read()).toBeNull();
    await test.admin.hset(slots.checkpointKeyOf(memos), 'event_id', 'e9');
    expect(await slots.read()).toEqual({ position: 7, eventId: 'e7' });
    slots.forget();
    expect(slots.lowest()).toBeNull();
  });

  it('publishes each stream its share past its own checkpoint and moves every checkpoint', async () => {
    const { test, store, slots, accounts, memos } = await setup();
    const first = await save(store, 4); // 1, 3 accounts; 2, 4 memos
    await slots.read();
    expect(await slots.publish(batchOf(test, first), first[3])).toBe(4);
    expect(await positions(test, accounts)).toEqual([1, 3]);
    expect(await positions(test, memos)).toEqual([2, 4]);
    const at4 = { position: '4', event_id: first[3].eventId };
    expect(await test.admin.hgetall(slots.checkpointKeyOf(accounts))).toEqual(at4);
    expect(await test.admin.hgetall(slots.checkpointKeyOf(memos))).toEqual(at4);
    expect(await test.admin.pttl(slots.checkpointKeyOf(accounts))).toBe(-1);
    expect(slots.lowest()).toEqual({ position: 4, eventId: first[3].eventId });

    // A failover rolled the accounts slot back to 3: the relay reads from 3; memos has 4 already.
    await test.admin.hset(slots.checkpointKeyOf(accounts), 'position', '3', 'event_id', 'e3');
    expect(await slots.read()).toEqual({ position: 3, eventId: 'e3' });
    const more = await save(store, 2, 5); // 5 accounts, 6 memos
    const events = [first[3], ...more];
    expect(await slots.publish(batchOf(test, events), more[1])).toBe(2);
    expect(await positions(test, accounts)).toEqual([1, 3, 5]);
    expect(await positions(test, memos)).toEqual([2, 4, 6]);
  });

  it('publishes nothing to a stream whose checkpoint moved since it was read, and forgets', async () => {
    const { test, store, slots, accounts, memos } = await setup();
    const events = await save(store, 4);
    await slots.read();
    // Another leader moved the memos checkpoint meanwhile.
    await test.admin.hset(slots.checkpointKeyOf(memos), 'position', '2', 'event_id', 'e2');
    expect(await slots.publish(batchOf(test, events), events[3])).toBeNull();
    expect(await positions(test, memos)).toEqual([]);
    expect(await test.admin.hget(slots.checkpointKeyOf(memos), 'position')).toBe('2');
    // What accounts published stays, with its checkpoint.
    expect(await positions(test, accounts)).toEqual([1, 3]);
    expect(await test.admin.hget(slots.checkpointKeyOf(accounts), 'position')).toBe('4');
    expect(slots.lowest()).toBeNull();
    expect(await slots.verify()).toBe(false);
  });

  it('lets the checkpoints expire when given a TTL', async () => {
    const { test, store, slots, accounts } = await setup(60_000);
    const events = await save(store, 2);
    await slots.read();
    await slots.publish(batchOf(test, events), events[1]);
    expect(await test.admin.pttl(slots.checkpointKeyOf(accounts))).toBeGreaterThan(50_000);
  });

  it('verifies that the checkpoints still hold what was read, forgetting them when not', async () => {
    const { test, store, slots, memos } = await setup();
    expect(await slots.verify()).toBe(false); // nothing read yet
    await slots.read();
    expect(await slots.verify()).toBe(true); // still none anywhere
    const events = await save(store, 2);
    await slots.read();
    await slots.publish(batchOf(test, events), events[1]);
    expect(await slots.verify()).toBe(true);
    expect(slots.lowest()).toEqual({ position: 2, eventId: events[1].eventId });
    await test.admin.hset(slots.checkpointKeyOf(memos), 'event_id', 'other');
    expect(await slots.verify()).toBe(false);
    expect(slots.lowest()).toBeNull();
    await slots.read();
    await test.admin.hset(slots.checkpointKeyOf(memos), 'position', '1');
    expect(await slots.verify()).toBe(false);
  });

  it('rewinds the checkpoints past a point to it, or deletes them, only where unchanged', async () => {
    const { test, slots, accounts, memos } = await setup();
    const set = (key: string, position: number) =>
      test.admin.hset(
        slots.checkpointKeyOf(key),
        'position',
        String(position),
        'event_id',
        `e${position}`,
      );
    await set(accounts, 9);
    await set(memos, 3);
    await slots.read();
    await slots.rewind({ position: 5, eventId: 'e5' });
    expect(await test.admin.hgetall(slots.checkpointKeyOf(accounts))).toEqual({
      position: '5',
      event_id: 'e5',
    });
    expect(await test.admin.hget(slots.checkpointKeyOf(memos), 'position')).toBe('3');
    expect(slots.lowest()).toBeNull(); // read again next round

    // A checkpoint at the point itself stays; one changed since it was read is left alone.
    await slots.read();
    await set(memos, 8);
    await slots.rewind({ position: 5, eventId: 'e5' });
    expect(await test.admin.hget(slots.checkpointKeyOf(accounts), 'position')).toBe('5');
    expect(await test.admin.hget(slots.checkpointKeyOf(memos), 'position')).toBe('8');

    await slots.read();
    await slots.rewind(null);
    expect(await test.admin.exists(slots.checkpointKeyOf(accounts))).toBe(0);
    expect(await test.admin.exists(slots.checkpointKeyOf(memos))).toBe(0);
    // Nothing read: nothing to rewind.
    await set(accounts, 9);
    await slots.rewind(null);
    expect(await test.admin.hget(slots.checkpointKeyOf(accounts), 'position')).toBe('9');
  });

  it('resets every checkpoint on purpose, or deletes them all', async () => {
    const { test, slots, accounts, memos } = await setup();
    await slots.read();
    await slots.reset({ position: 6, eventId: 'e6' });
    for (const key of [accounts, memos])
      expect(await test.admin.hgetall(slots.checkpointKeyOf(key))).toEqual({
        position: '6',
        event_id: 'e6',
      });
    expect(slots.lowest()).toBeNull();
    expect(await slots.read()).toEqual({ position: 6, eventId: 'e6' });
    await slots.reset(null);
    expect(
      await test.admin.exists(slots.checkpointKeyOf(accounts), slots.checkpointKeyOf(memos)),
    ).toBe(0);
  });
});
