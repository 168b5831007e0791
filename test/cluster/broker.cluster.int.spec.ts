import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  RedisOffsetStore,
  ReplicationTimeoutError,
  type StreamEvent,
} from '../../libs/flux/src/index.js';
import { clusterSlot } from '../../libs/flux/src/broker/cluster/cluster-slot.js';
import { RedisCluster } from '../support/redis-cluster.js';
import {
  createClusterBroker,
  streamsOverMasters,
  type ClusterTestBroker,
} from './cluster-broker.js';

/**
 * The broker on a real Redis Cluster (3 masters, 3 replicas): every operation, with streams
 * spread over all masters so that nothing works only because it happened to hit one node.
 */
describe('EventBroker on a Redis Cluster', () => {
  let cluster: RedisCluster;
  let tb: ClusterTestBroker;
  let streams: string[];

  beforeAll(async () => {
    cluster = await RedisCluster.start();
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  async function setUp(count = 6, registration: { maxLen?: number } = {}) {
    tb = createClusterBroker(cluster, []);
    streams = await streamsOverMasters(cluster, tb.prefix, count);
    for (const name of streams) tb.registry.register({ name, ...registration });
  }

  afterEach(async () => {
    await tb?.close();
  });

  it('computes the slots the cluster computes', async () => {
    const node = cluster.ports[0];
    const { Redis } = await import('ioredis');
    const redis = new Redis({ port: node });
    try {
      for (const key of ['foo', 'orders', '{user1000}.following', 'a{}b', '{}{x}', 'x{y}z']) {
        expect(clusterSlot(key), key).toBe(await redis.call('cluster', 'keyslot', key));
      }
    } finally {
      redis.disconnect();
    }
  });

  it('publishes awaited and concurrently to streams on every master', async () => {
    await setUp();
    const masters = new Set<number>();
    for (const name of streams) masters.add((await cluster.masterOf(tb.key(name))).port);
    expect(masters.size).toBe(3);
    for (const name of streams) await tb.broker.publish(name, { n: 0 }, { type: 'first' });
    await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        tb.broker.publish(streams[i % streams.length], { n: i + 1 }),
      ),
    );
    for (const name of streams) expect(await tb.admin.xlen(tb.key(name))).toBe(51);
  });

  it('flushes one buffer spanning every master, ids in publish order', async () => {
    await setUp();
    const flusher = tb.broker.newFlusher();
    for (let i = 0; i < 600; i++)
      flusher.publish(streams[i % streams.length], { i }, { i: `${i}` });
    const ids = await flusher.flush();
    expect(ids).toHaveLength(600);
    expect(flusher.size).toBe(0);
    for (const [s, name] of streams.entries()) {
      const entries = await tb.admin.xrange(tb.key(name), '-', '+');
      expect(entries.map(([id]) => id)).toEqual(ids.filter((_, i) => i % streams.length === s));
    }
  });

  it('consumes with single and many consumers in two groups, deleting once both acked', async () => {
    await setUp(3);
    for (const name of streams) {
      for (let i = 0; i < 20; i++) await tb.broker.publish(name, { i });
    }
    for (const name of streams) {
      const single = await tb.broker.consumerSingle(name, { group: 'a' });
      const many = [
        await tb.broker.consumerMany(name, { group: 'b' }),
        await tb.broker.consumerMany(name, { group: 'b' }),
      ];
      const seenA: number[] = [];
      while ((await single.consume(7, 0, (evs) => void seenA.push(...values(evs)))) > 0);
      expect(seenA).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect(await tb.admin.xlen(tb.key(name))).toBe(20); // group b has not acked yet
      const seenB: number[] = [];
      for (;;) {
        const got = await Promise.all(
          many.map((c) => c.consume(5, 0, (evs) => void seenB.push(...values(evs)))),
        );
        if (got.every((n) => n === 0)) break;
      }
      expect(seenB.sort((x, y) => x - y)).toEqual(seenA);
      expect(await tb.admin.xlen(tb.key(name))).toBe(0);
    }
  });

  it('re-reads its pending messages, claims those of a dead consumer, and cleans up safely', async () => {
    await setUp(3);
    for (const name of streams) {
      for (let i = 0; i < 5; i++) await tb.broker.publish(name, { i });
      const dead = await tb.broker.consumerMany(name);
      await expect(dead.consume(5, 0, () => Promise.reject(new Error('crash')))).rejects.toThrow(
        'crash',
      );
      const again: number[] = [];
      await expect(
        dead.consume(5, 0, (evs) => {
          again.push(...evs.map((e) => e.deliveryCount));
          throw new Error('still failing');
        }),
      ).rejects.toThrow('still failing');
      expect(again).toEqual([2, 2, 2, 2, 2]);
      const rescuer = await tb.broker.consumerMany(name);
      const claimed: number[] = [];
      expect(await rescuer.autoClaim(2, 0, (evs) => void claimed.push(...values(evs)))).toBe(5);
      expect(claimed).toEqual([0, 1, 2, 3, 4]);
      expect(await dead.cleanup()).toBe(true);
      expect(await tb.admin.xlen(tb.key(name))).toBe(0);
      const stats = await tb.broker.getStreamStatistics(name);
      expect(stats?.group?.consumers.map((c) => c.name)).toEqual([rescuer.name]);
    }
  });

  it('trims a capped stream without dropping what a lagging group has not read', async () => {
    await setUp(3, { maxLen: 10 });
    for (const name of streams) {
      const lagging = await tb.broker.consumerSingle(name, { group: 'lagging' });
      for (let i = 0; i < 100; i++) await tb.broker.publish(name, { i });
      const flusher = tb.broker.newFlusher();
      for (let i = 100; i < 200; i++) flusher.publish(name, { i });
      await flusher.flush();
      const seen: number[] = [];
      while ((await lagging.consume(50, 0, (evs) => void seen.push(...values(evs)))) > 0);
      expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i));
      await tb.broker.publish(name, { i: 200 }); // read everything: now the cap applies
      expect(await tb.admin.xlen(tb.key(name))).toBeLessThanOrEqual(10 + 100);
    }
  });

  it('reports statistics of streams on different masters', async () => {
    await setUp();
    for (const [i, name] of streams.entries()) {
      for (let k = 0; k <= i; k++) await tb.broker.publish(name, { k });
    }
    const c = await tb.broker.consumerSingle(streams[5]);
    await c.consume(2, 0, () => Promise.reject(new Error('hold'))).catch(() => undefined);
    const stats = await tb.broker.getStreamsStatistics();
    expect(stats.map((s) => [s.stream, s.len])).toEqual(streams.map((name, i) => [name, i + 1]));
    const last = stats[5];
    expect(last.group).toMatchObject({ group: 'consumer_group', pending: 2, lag: 4 });
  });

  it('keeps feed offsets in a RedisOffsetStore on the cluster', async () => {
    await setUp(1);
    const store = new RedisOffsetStore(tb.admin, `${tb.prefix}offset:`);
    expect(await store.get('balances')).toBe(0);
    await store.save('balances', 42);
    await store.save('audit', 7);
    expect(await store.get('balances')).toBe(42);
    expect(await store.get('audit')).toBe(7);
  });

  it('waits for a replica on a durable stream, and reports too few replicas by message id', async () => {
    tb = createClusterBroker(cluster, []);
    const [one, two] = await streamsOverMasters(cluster, tb.prefix, 2);
    tb.registry.register({ name: one, durable: { replicas: 1, timeoutMs: 5_000 } });
    tb.registry.register({ name: two, durable: { replicas: 2, timeoutMs: 100 } });
    const id = await tb.broker.publish(one, { ok: true });
    expect(id).toMatch(/^\d+-\d+$/);
    const flusher = tb.broker.newFlusher();
    for (let i = 0; i < 50; i++) flusher.publish(one, { i });
    expect(await flusher.flush()).toHaveLength(50);
    // Each master has one replica: asking for two must fail, naming the written message.
    const error = await tb.broker.publish(two, { late: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplicationTimeoutError);
    const late = error as ReplicationTimeoutError;
    expect(late).toMatchObject({ stream: two, required: 2, acknowledged: 1 });
    expect(await tb.admin.xrange(tb.key(two), late.ids[0], late.ids[0])).toHaveLength(1);
  });
});

function values(events: StreamEvent[]): number[] {
  return events.map((e) => {
    const body = e.unserialize<{ i?: number; k?: number }>();
    return body.i ?? body.k ?? -1;
  });
}
