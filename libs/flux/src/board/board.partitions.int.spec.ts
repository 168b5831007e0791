import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { REDIS_URL } from '../broker/broker.spec-helpers.js';
import { EventBroker } from '../broker/event-broker.js';
import { partitionOf } from '../broker/partitions/partition-hash.js';
import { partitionLeaseKey } from '../broker/partitions/partition-keys.js';
import { RedisPools } from '../broker/pools/redis-pools.js';
import { StreamRegistry } from '../broker/registry/stream-registry.js';
import { StreamsOverview } from './streams-overview.js';
import { DeadLetters } from './dead-letters.js';

describe('board streams overview of a partitioned stream', () => {
  const prefix = `flux-test:board-partitions-${Date.now()}:`;
  const pools = new RedisPools({ default: REDIS_URL });
  const registry = new StreamRegistry(pools, prefix);
  registry.register({ name: 'orders', partitions: 2 });
  const broker = new EventBroker(registry, pools);
  afterEach(async () => {
    const redis = pools.get('default');
    const keys = [...(await redis.keys(`${prefix}*`)), ...(await redis.keys(`{${prefix}*`))];
    if (keys.length) await redis.del(...keys);
  });
  afterAll(() => broker.close());

  it('lists each partition with its length and, per group, lag, pending and holder', async () => {
    const key = 'k1';
    const p = partitionOf(key, 2);
    await broker.publish('orders', 1, { aggregate_id: key });
    await broker.consumerMany('orders', { group: 'g', partition: p });
    await broker.consumerMany('orders', { group: 'g', partition: 1 - p });
    const lease = partitionLeaseKey(registry.get('orders').partitionKeys![p], 'g');
    await pools.get('default').set(lease, 'worker-a#123', 'PX', 10_000);
    const [orders] = await new StreamsOverview(broker, registry, pools).list();
    expect(orders.len).toBe(1);
    expect(orders.partitions).toEqual(
      [0, 1].map((partition) => ({
        partition,
        len: partition === p ? 1 : 0,
        groups: [
          {
            group: 'g',
            lag: partition === p ? 1 : 0,
            pending: 0,
            holder: partition === p ? 'worker-a' : null,
          },
        ],
      })),
    );
  });

  it('replays a dead letter to the partition of its key, without the partition tag', async () => {
    const key = 'k2';
    const p = partitionOf(key, 2);
    const redis = pools.get('default');
    const deadId = await redis.xadd(
      `${prefix}orders:dead`,
      '*',
      'body',
      'x',
      'aggregate_id',
      key,
      'partition',
      String(p),
      'error',
      'boom',
    );
    await new DeadLetters(registry, pools, {}).replay('orders', deadId!);
    const [[, fields]] = await redis.xrange(`${prefix}orders:p${p}`, '-', '+');
    expect(fields).toEqual(['body', 'x', 'aggregate_id', key]);
    expect(await redis.xlen(`${prefix}orders:dead`)).toBe(0);
  });
});
