import 'reflect-metadata';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createTestBroker, waitFor } from '../broker/broker.spec-helpers.js';
import { MessageCodec } from '../broker/codec/message-codec.js';
import { RedisPools, type PoolClient } from '../broker/pools/redis-pools.js';
import { MemoryEventStore } from '../event-store/memory/memory-event-store.js';
import type { NewEvent } from '../event-store/event-store.types.js';
import { EventRelay } from './event-relay.js';
import { relayKeys } from './relay-keys.js';
import { freePort } from '../../../../test/support/free-port.js';
import { startRedisServer, stopRedisServer } from '../../../../test/support/redis-server.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function credit(n: number): NewEvent {
  return { type: 'Credited', data: { n }, metadata: { correlationId: `c${n}` } };
}

function relayOn(
  store: MemoryEventStore,
  test: ReturnType<typeof createTestBroker>,
  redis: PoolClient,
  name = 'r',
) {
  const relay = new EventRelay({
    store,
    registry: test.registry,
    codec: new MessageCodec(),
    redis,
    name,
    keyPrefix: test.prefix,
    lockTtl: 1_000,
    streams: new Map([['account', 'accounts']]),
    batchSize: 50,
    pollInterval: 20,
  });
  return relay;
}

async function streamEntries(redis: Redis, key: string) {
  const entries = await redis.xrange(key, '-', '+');
  return entries.map(([, fields]) => {
    const tags: Record<string, string> = {};
    for (let i = 0; i < fields.length; i += 2)
      if (fields[i] !== 'body') tags[fields[i]] = fields[i + 1];
    return tags;
  });
}

describe('EventRelay', () => {
  it('publishes saved events in position order with their tags and persists the checkpoint', async () => {
    const store = new MemoryEventStore();
    const test = createTestBroker(['accounts']);
    cleanups.push(() => test.close());
    const relay = relayOn(store, test, test.admin);
    await store.append('a1', [credit(1), credit(2)], {
      expectedVersion: 0,
      aggregateName: 'account',
    });
    await store.append('c1', [{ type: 'Other', data: {} }], {
      expectedVersion: 0,
      aggregateName: 'customer',
    });
    await store.append('a2', [credit(3)], { expectedVersion: 0, aggregateName: 'account' });
    relay.start();
    cleanups.push(() => relay.stop());
    await waitFor(async () => (await test.admin.xlen(test.key('accounts'))) === 3);
    const tags = await streamEntries(test.admin, test.key('accounts'));
    expect(tags.map((t) => [t.aggregate_id, t.version, t.position])).toEqual([
      ['a1', '1', '1'],
      ['a1', '2', '2'],
      ['a2', '1', '4'],
    ]);
    expect(tags[0]).toMatchObject({
      type: 'Credited',
      aggregate_name: 'account',
      correlation_id: 'c1',
    });
    expect(tags[0].event_id).toMatch(/^[0-9a-f-]{36}$/);
    const keys = relayKeys(test.prefix, await store.storeId(), 'r');
    expect(keys.checkpoint).toBe(
      `${test.prefix}flux:relay:{${await store.storeId()}}:r:checkpoint`,
    );
    await waitFor(async () => (await test.admin.hget(keys.checkpoint, 'position')) === '4');
    const [fourth] = await store.readAll({ after: 3, limit: 1 });
    expect(await test.admin.hget(keys.checkpoint, 'event_id')).toBe(fourth.eventId);
    // Later appends wake the relay; the checkpoint moves past events of other aggregates too.
    await store.append('a1', [credit(4)], { expectedVersion: 2, aggregateName: 'account' });
    await waitFor(async () => (await test.admin.xlen(test.key('accounts'))) === 4);
  });

  it('resumes from the persisted checkpoint without republishing', async () => {
    const store = new MemoryEventStore();
    const test = createTestBroker(['accounts']);
    cleanups.push(() => test.close());
    await store.append('a1', [credit(1), credit(2)], {
      expectedVersion: 0,
      aggregateName: 'account',
    });
    const first = relayOn(store, test, test.admin);
    first.start();
    await waitFor(async () => (await test.admin.xlen(test.key('accounts'))) === 2);
    await first.stop();
    await store.append('a1', [credit(3)], { expectedVersion: 2, aggregateName: 'account' });
    const second = relayOn(store, test, test.admin);
    second.start();
    cleanups.push(() => second.stop());
    await waitFor(async () => (await test.admin.xlen(test.key('accounts'))) === 3);
    await waitFor(() => second.status.checkpoint === 3);
    expect((await streamEntries(test.admin, test.key('accounts'))).map((t) => t.position)).toEqual([
      '1',
      '2',
      '3',
    ]);
  });

  it('one instance publishes at a time, and another takes over without losing anything', async () => {
    const store = new MemoryEventStore();
    const test = createTestBroker(['accounts']);
    cleanups.push(() => test.close());
    const a = relayOn(store, test, test.admin);
    const b = relayOn(store, test, test.admin);
    a.start();
    await waitFor(() => a.status.leader);
    b.start();
    cleanups.push(() => b.stop());
    for (let i = 1; i <= 20; i++)
      await store.append('a1', [credit(i)], { expectedVersion: i - 1, aggregateName: 'account' });
    await waitFor(async () => (await test.admin.xlen(test.key('accounts'))) === 20);
    expect(b.status.leader).toBe(false);
    await a.stop(); // releases the lock
    for (let i = 21; i <= 40; i++)
      await store.append('a1', [credit(i)], { expectedVersion: i - 1, aggregateName: 'account' });
    await waitFor(async () => (await test.admin.xlen(test.key('accounts'))) === 40, 10_000);
    expect(b.status.leader).toBe(true);
    const versions = (await streamEntries(test.admin, test.key('accounts'))).map((t) =>
      Number(t.version),
    );
    expect(versions).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('republishes from the start when Redis restarts empty instead of writing a stale checkpoint', async () => {
    const port = await freePort();
    let own = await startRedisServer(port);
    const url = `redis://127.0.0.1:${port}/0`;
    const store = new MemoryEventStore();
    const test = createTestBroker(['accounts'], { default: url });
    const pools = new RedisPools({ default: url });
    const relay = relayOn(store, test, pools.get('default'));
    const probe = new Redis(url);
    probe.on('error', () => undefined);
    cleanups.push(async () => {
      await relay.stop(500);
      await test.broker.close();
      await pools.close();
      probe.disconnect();
      await stopRedisServer(own);
    });
    relay.start();
    for (let i = 1; i <= 10; i++)
      await store.append('a1', [credit(i)], { expectedVersion: i - 1, aggregateName: 'account' });
    await waitFor(() => relay.status.checkpoint === 10);
    await stopRedisServer(own);
    own = await startRedisServer(port); // empty: streams, checkpoint and lock are gone
    for (let i = 11; i <= 15; i++)
      await store.append('a1', [credit(i)], { expectedVersion: i - 1, aggregateName: 'account' });
    await waitFor(
      async () => (await probe.xlen(test.key('accounts')).catch(() => 0)) >= 15,
      15_000,
    );
    const versions = new Set(
      (await streamEntries(probe, test.key('accounts'))).map((t) => Number(t.version)),
    );
    expect([...versions].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 15 }, (_, i) => i + 1),
    );
  });

  describe('with Redis down at save time', () => {
    let server: Awaited<ReturnType<typeof startRedisServer>> | undefined;
    afterAll(async () => {
      if (server) await stopRedisServer(server);
    });

    it('lets saves succeed and publishes everything, in order, once Redis is back', async () => {
      const port = await freePort();
      server = await startRedisServer(port);
      const url = `redis://127.0.0.1:${port}/0`;
      const store = new MemoryEventStore();
      const test = createTestBroker(['accounts'], { default: url });
      const pools = new RedisPools({ default: url });
      const redis = pools.get('default');
      const relay = relayOn(store, test, redis);
      relay.start();
      cleanups.push(async () => {
        await relay.stop(500);
        await test.broker.close();
        await pools.close();
      });
      const probe = new Redis(url);
      probe.on('error', () => undefined);
      cleanups.push(async () => probe.disconnect());
      await store.append('a1', [credit(1)], { expectedVersion: 0, aggregateName: 'account' });
      await waitFor(async () => (await probe.xlen(test.key('accounts'))) === 1);

      await stopRedisServer(server);
      for (let i = 2; i <= 30; i++)
        await store.append('a1', [credit(i)], { expectedVersion: i - 1, aggregateName: 'account' });
      // The relay's round is now stuck on (or failing against) the unreachable server.

      // Redis comes back empty (no persistence): the lock and the checkpoint are gone too, so the
      // relay cannot commit its checkpoint, drops leadership and republishes the whole log —
      // duplicates are allowed, losses are not.
      server = await startRedisServer(port);
      await waitFor(() => relay.status.checkpoint === 30, 15_000);
      const versions = (await streamEntries(probe, test.key('accounts'))).map((t) =>
        Number(t.version),
      );
      const expected = Array.from({ length: 30 }, (_, i) => i + 1);
      // The batch the client replays into the empty server is refused (the lock is gone), so the
      // stream is rebuilt from the start, in order, once.
      expect(versions).toEqual(expected);
    });
  });
});
