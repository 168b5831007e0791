import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';
import { PartitionCountMismatchError } from '../../errors/partition-count-mismatch.error.js';
import { createTestBroker, type TestBroker } from '../broker.spec-helpers.js';
import { partitionOf } from './partition-hash.js';
import { EventBroker } from '../event-broker.js';
import { RedisPools } from '../pools/redis-pools.js';
import { StreamRegistry } from '../registry/stream-registry.js';
import { REDIS_URL } from '../broker.spec-helpers.js';

describe('partitioned streams (broker)', () => {
  let t: TestBroker;
  afterEach(() => t.close());

  it('routes publish and flush by the partition key, in order per key', async () => {
    t = createTestBroker([{ name: 'orders', partitions: 4 }]);
    const flusher = t.broker.newFlusher();
    for (let i = 0; i < 20; i++) {
      const key = `order-${i % 5}`;
      if (i % 2 === 0) await t.broker.publish('orders', { i }, { aggregate_id: key });
      else flusher.publish('orders', { i }, { aggregate_id: key });
      if (i % 4 === 3) await flusher.flush();
    }
    await flusher.flush();
    const seen = new Map<string, number[]>();
    for (let p = 0; p < 4; p++) {
      const consumer = await t.broker.consumerSingle('orders', { partition: p });
      await consumer.consume(100, 0, (events) => {
        for (const e of events) {
          expect(e.partition).toBe(p);
          expect(partitionOf(e.tag('aggregate_id')!, 4)).toBe(p);
          const key = e.tag('aggregate_id')!;
          seen.set(key, [...(seen.get(key) ?? []), e.unserialize<{ i: number }>().i]);
        }
      });
    }
    for (let k = 0; k < 5; k++) {
      // Per key, messages come out of their partition in publish order (flushes interleaved).
      expect(seen.get(`order-${k}`)).toEqual([0, 1, 2, 3].map((n) => k + 5 * n));
    }
    expect(await t.admin.exists(t.key('orders'))).toBe(0); // no unpartitioned stream
  });

  it('refuses a message without the partition key tag, naming stream and tag', async () => {
    t = createTestBroker([{ name: 'orders', partitions: 2, partitionKey: 'customer' }]);
    await expect(t.broker.publish('orders', 1, { aggregate_id: 'a' })).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(t.broker.publish('orders', 1)).rejects.toThrow(/"orders".*"customer"/);
    expect(() => t.broker.newFlusher().publish('orders', 1, {})).toThrow(/"orders".*"customer"/);
    await t.broker.publish('orders', 1, { customer: 'c-1' });
  });

  it('requires a partition for low-level consumers of a partitioned stream', async () => {
    t = createTestBroker([{ name: 'orders', partitions: 2 }, 'plain']);
    await expect(t.broker.consumerSingle('orders')).rejects.toThrow(/0 to 1/);
    await expect(t.broker.consumerMany('orders', { partition: 2 })).rejects.toThrow(/0 to 1/);
    await expect(t.broker.consumerMany('plain', { partition: 0 })).rejects.toThrow(
      /not partitioned/,
    );
    const consumer = await t.broker.consumerMany('plain');
    expect(consumer.partition).toBeUndefined();
  });

  it('acks and deletes per partition once every group acked', async () => {
    t = createTestBroker([{ name: 'orders', partitions: 2 }]);
    const key = 'k'; // one key: one partition
    const p = partitionOf(key, 2);
    await t.broker.publish('orders', 1, { aggregate_id: key });
    const a = await t.broker.consumerSingle('orders', { partition: p, group: 'a' });
    const b = await t.broker.consumerSingle('orders', { partition: p, group: 'b' });
    await a.consume(10, 0, () => undefined);
    expect(await t.admin.xlen(`${t.key('orders')}:p${p}`)).toBe(1);
    await b.consume(10, 0, () => undefined);
    expect(await t.admin.xlen(`${t.key('orders')}:p${p}`)).toBe(0);
  });

  it('reports totals and one entry per partition', async () => {
    t = createTestBroker([{ name: 'orders', partitions: 3 }]);
    expect(await t.broker.getStreamStatistics('orders')).toBeNull();
    const keys = ['account-1', 'account-2', 'order-42', 'a']; // partitions 1, 2, 2, 1 of 3
    for (const key of keys) await t.broker.publish('orders', key, { aggregate_id: key });
    const consumer = await t.broker.consumerSingle('orders', { partition: 2 });
    await consumer.consume(1, 0, () => Promise.reject(new Error('x'))).catch(() => 0);
    const stats = (await t.broker.getStreamStatistics('orders'))!;
    expect(stats.len).toBe(4);
    expect(stats.partitions!.map((s) => [s.partition, s.len])).toEqual([
      [0, 0],
      [1, 2],
      [2, 2],
    ]);
    expect(stats.group).toMatchObject({ group: 'consumer_group', lag: 1, pending: 1 });
    expect(stats.group!.consumers).toEqual([
      expect.objectContaining({ name: 'consumer-single', pending: 1 }),
    ]);
    const p2 = stats.partitions![2].group!;
    expect(p2).toMatchObject({ lag: 1, pending: 1, leaseHolder: null });
    expect(stats.partitions![0].group).toBeNull();
  });

  it('stores the partition count and refuses another one, naming both', async () => {
    t = createTestBroker([{ name: 'orders', partitions: 4 }]);
    await t.broker.verifyPartitions();
    expect(await t.admin.get(`${t.key('orders')}:partitions`)).toBe('4');
    await t.broker.verifyPartitions(); // same count: fine
    const pools = new RedisPools({ default: `${REDIS_URL}/0` });
    const registry = new StreamRegistry(pools, t.prefix);
    registry.register({ name: 'orders', partitions: 8 });
    const other = new EventBroker(registry, pools);
    try {
      const failure = other.verifyPartitions();
      await expect(failure).rejects.toThrow(PartitionCountMismatchError);
      await expect(other.verifyPartitions()).rejects.toThrow(
        /"orders".*8 partitions.*4 partitions/,
      );
    } finally {
      await other.close();
    }
  });
});
