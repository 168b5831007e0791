import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';
import { PoolNotConfiguredError } from '../../errors/pool-not-configured.error.js';
import { StreamNotRegisteredError } from '../../errors/stream-not-registered.error.js';
import { StreamRegistry } from './stream-registry.js';

const pools = { has: (pool: string) => pool === 'default' || pool === 'other' };

describe('StreamRegistry', () => {
  it('registers names and registrations with prefixed keys', () => {
    const registry = new StreamRegistry(pools, 'app:');
    registry.register('a');
    registry.register({ name: 'b', pool: 'other', maxLen: 100 });
    expect(registry.get('a')).toEqual({ name: 'a', pool: 'default', key: 'app:a' });
    expect(registry.get('b')).toEqual({ name: 'b', pool: 'other', key: 'app:b', maxLen: 100 });
    expect(registry.all().map((s) => s.name)).toEqual(['a', 'b']);
  });

  it('accepts the same stream twice on one pool and refuses another pool', () => {
    const registry = new StreamRegistry(pools);
    registry.register('a');
    expect(() => registry.register({ name: 'a', pool: 'default' })).not.toThrow();
    expect(() => registry.register({ name: 'a', pool: 'other' })).toThrow(InvalidArgumentError);
    registry.register({ name: 'a', maxLen: 10 }); // adds a cap
    expect(registry.get('a').maxLen).toBe(10);
    expect(() => registry.register({ name: 'a', maxLen: 20 })).toThrow(/maxLen/);
  });

  it('names the stream and pool in its errors', () => {
    const registry = new StreamRegistry(pools);
    expect(() => registry.get('x')).toThrow(StreamNotRegisteredError);
    expect(() => registry.register({ name: 's', pool: 'nope' })).toThrow(PoolNotConfiguredError);
    expect(() => registry.register({ name: 's', pool: 'nope' })).toThrow(/"nope".*"s"/);
    expect(() => registry.register({ name: 's', maxLen: 0 })).toThrow(InvalidArgumentError);
  });

  it('keeps a durable option, checks it, and refuses a second, different one', () => {
    const registry = new StreamRegistry(pools);
    registry.register({ name: 'pay', durable: { replicas: 1, timeoutMs: 500 } });
    registry.register({ name: 'pay', maxLen: 10 }); // a cap added later keeps durability
    expect(registry.get('pay')).toMatchObject({
      maxLen: 10,
      durable: { replicas: 1, timeoutMs: 500 },
    });
    expect(() => registry.register({ name: 'pay', durable: { replicas: 2 } })).toThrow(/durable/);
    expect(() => registry.register({ name: 'x', durable: { replicas: 0 } })).toThrow(
      /durable.replicas of stream "x"/,
    );
    expect(() => registry.register({ name: 'y', durable: { replicas: 1, timeoutMs: 0 } })).toThrow(
      /WAIT with 0 would block forever/,
    );
  });

  it('partitions a stream: keys per partition, default partition key', () => {
    const registry = new StreamRegistry(pools, 'app:');
    registry.register({ name: 'orders', partitions: 3 });
    expect(registry.get('orders')).toMatchObject({
      key: 'app:orders',
      partitions: 3,
      partitionKey: 'aggregate_id',
      partitionKeys: ['app:orders:p0', 'app:orders:p1', 'app:orders:p2'],
    });
    registry.register('orders'); // by name only: refers to the partitioned stream
    expect(registry.get('orders').partitions).toBe(3);
    registry.register({ name: 'orders', maxLen: 50 }); // adds a cap, keeps the partitions
    expect(registry.get('orders')).toMatchObject({ partitions: 3, maxLen: 50 });
  });

  it('refuses a second registration with another partitioning, naming both', () => {
    const registry = new StreamRegistry(pools);
    registry.register({ name: 'orders', partitions: 4, partitionKey: 'customer' });
    expect(() => registry.register({ name: 'orders', partitions: 8 })).toThrow(
      /"orders".*4 partitions by "customer".*8 partitions by "aggregate_id"/,
    );
    expect(() => registry.register({ name: 'orders', partitions: 4 })).toThrow(/"customer"/);
  });

  it('validates partitions and partitionKey', () => {
    const registry = new StreamRegistry(pools);
    for (const partitions of [0, -1, 1.5, 1025, Number.NaN]) {
      expect(() => registry.register({ name: 's', partitions })).toThrow(
        /partitions of stream "s"/,
      );
    }
    expect(() => registry.register({ name: 's', partitionKey: 'k' })).toThrow(/set partitions/);
    expect(() => registry.register({ name: 's', partitions: 2, partitionKey: '' })).toThrow(
      /partitionKey of stream "s"/,
    );
  });
});
