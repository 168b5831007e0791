import 'reflect-metadata';
import { HealthIndicatorService } from '@nestjs/terminus';
import { afterEach, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../broker/consume/stream-event.js';
import { partitionOf } from '../broker/partitions/partition-hash.js';
import { partitionLeaseKey } from '../broker/partitions/partition-keys.js';
import { LeaseLostError } from '../errors/lease-lost.error.js';
import { EventStore } from '../event-store/event-store.js';
import { FluxHealthIndicator } from '../observability/flux-health.indicator.js';
import { StreamConsumer } from './stream-consumer.decorator.js';
import { DomainEvent } from '../event-sourcing/domain-event.decorator.js';
import { EventHandler } from '../event-sourcing/event-handler.decorator.js';
import { createWorkerApp, waitFor, type WorkerApp } from './workers.spec-helpers.js';

const seen: { key: string; n: number; partition: number | undefined; consumer: string }[] = [];
const failures = new Map<string, number>(); // "key:n" → attempts that still fail

@StreamConsumer('orders', {
  group: 'parallel',
  mode: 'many',
  consumers: 2,
  count: 10,
  block: 100,
})
class ManyOnPartitions {
  handle(events: StreamEvent[]) {
    for (const e of events) {
      const { key, n } = e.unserialize<{ key: string; n: number }>();
      seen.push({ key, n, partition: e.partition, consumer: e.consumer });
    }
  }
}

@DomainEvent('OrderNumbered')
class OrderNumbered {
  constructor(
    readonly key: string,
    readonly n: number,
  ) {}
}

@StreamConsumer('orders', {
  group: 'ordered',
  count: 10,
  block: 100,
  maxDeliveries: 2,
  retryDelay: 20,
  maxRetryDelay: 50,
  leaseTtl: 1_000,
})
class SingleOnPartitions {
  @EventHandler(OrderNumbered) on({ key, n }: OrderNumbered, e: StreamEvent) {
    const left = failures.get(`${key}:${n}`) ?? 0;
    if (left > 0) {
      failures.set(`${key}:${n}`, left - 1);
      throw new Error(`refusing ${key}:${n}`);
    }
    seen.push({ key, n, partition: e.partition, consumer: e.consumer });
  }
}

@StreamConsumer('orders', { group: 'capped', consumers: 1, block: 100, leaseTtl: 1_000 })
class Capped {
  handle() {}
}

let t: WorkerApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
  seen.length = 0;
  failures.clear();
});

async function publish(keys: string[], perKey: number) {
  const flusher = t!.broker.newFlusher();
  for (let n = 0; n < perKey; n++)
    for (const key of keys)
      flusher.publish('orders', { key, n }, { aggregate_id: key, type: 'OrderNumbered' });
  await flusher.flush();
}

describe('stream workers on a partitioned stream', () => {
  it("mode 'many' reads every partition with `consumers` loops each", async () => {
    t = await createWorkerApp({
      streams: [{ name: 'orders', partitions: 4 }],
      providers: [ManyOnPartitions],
    });
    const loops = t.workers.status();
    expect(loops.map((w) => w.partition)).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    const keys = Array.from({ length: 12 }, (_, i) => `k${i}`);
    await publish(keys, 10);
    await waitFor(() => seen.length === 120, 20_000, 'every message handled');
    for (const s of seen) expect(s.partition).toBe(partitionOf(s.key, 4));
    expect(new Set(seen.map((s) => s.partition)).size).toBe(4);
  });

  it("mode 'single': a failure holds back its partition only; dead letters keep partition and key", async () => {
    t = await createWorkerApp({
      streams: [{ name: 'orders', partitions: 4 }],
      providers: [SingleOnPartitions],
    });
    const keys = Array.from({ length: 8 }, (_, i) => `k${i}`);
    failures.set('k1:3', 1); // fails once, then succeeds: redelivered in order
    failures.set('k2:5', 5); // out of deliveries (2): dead-lettered, work goes on
    await publish(keys, 10);
    await waitFor(() => seen.length === 79, 20_000, 'every message handled but one');
    for (const key of keys) {
      const ns = seen.filter((s) => s.key === key).map((s) => s.n);
      const expected = [...Array(10).keys()].filter((n) => !(key === 'k2' && n === 5));
      expect(ns).toEqual(expected); // in order, each once
    }
    const [[, fields]] = await t.admin.xrange(t.key('orders:dead'), '-', '+');
    const tags = Object.fromEntries(
      Array.from({ length: fields.length / 2 }, (_, i) => [fields[2 * i], fields[2 * i + 1]]),
    );
    expect(tags).toMatchObject({
      aggregate_id: 'k2',
      partition: String(partitionOf('k2', 4)),
      original_stream: 'orders',
      group: 'ordered',
    });
    // One process holds all four partitions, one loop each, named after the process.
    await waitFor(() => t!.workers.partitions()[0].held.length === 4, 20_000, 'all held');
    const names = new Set(t.workers.status().map((w) => w.consumerName));
    expect(names.size).toBe(1);
    expect(t.workers.partitions()[0].member).toBe([...names][0]);
    // Its logs name the partition of each loop.
    for (const partition of [0, 1, 2, 3]) {
      const holding = new RegExp(
        `^Holding the lease of stream "orders" partition ${partition} group "ordered": `,
      );
      expect(t.logger.count('log', holding), `partition ${partition}`).toBeGreaterThanOrEqual(1);
    }
  });

  it('a partition holder whose lease was taken over can neither read nor ack', async () => {
    t = await createWorkerApp({ streams: [{ name: 'orders', partitions: 2 }], providers: [] });
    const redis = t.broker.redisFor('orders');
    const registered = t.broker.registry.get('orders');
    const key = partitionLeaseKey(registered.partitionKeys![0], 'g');
    expect(await redis.set(key, 'me#1', 'PX', 5_000, 'NX')).toBe('OK');
    const open = (name: string, token: string) =>
      t!.broker.consumerLeased('orders', {
        group: 'g',
        partition: 0,
        name,
        fence: { key, token },
      });
    const consumer = await open('me', 'me#1');
    const k = ['a', 'b', 'c', 'd'].find((x) => partitionOf(x, 2) === 0)!;
    await t.broker.publish('orders', 1, { aggregate_id: k });
    await t.broker.publish('orders', 2, { aggregate_id: k });
    let held: StreamEvent[] = [];
    const outcome = await consumer
      .consume(1, 0, async (events) => {
        held = events;
        // Meanwhile the lease expires and another process takes the partition.
        await redis.del(key);
        expect(await redis.set(key, 'successor#2', 'PX', 5_000, 'NX')).toBe('OK');
      })
      .then(
        () => 'acked',
        (error: unknown) => error,
      );
    expect(outcome).toBeInstanceOf(LeaseLostError);
    expect(held).toHaveLength(1);
    await expect(consumer.consume(10, 0, () => undefined)).rejects.toThrow(LeaseLostError);
    // Nothing was acked or read past the first message: the successor gets both, in order.
    const successor = await open('successor', 'successor#2');
    await successor.takeOver();
    const got: unknown[] = [];
    while (
      (await successor.consume(10, 0, (es) => got.push(...es.map((e) => e.unserialize())))) > 0
    );
    expect(got).toEqual([1, 2]);
    const stats = (await t.broker.getStreamStatistics('orders'))!;
    expect(stats.partitions![0].groups[0].leaseHolder).toBe('successor');
  });

  it('health reports partitions nobody holds', async () => {
    t = await createWorkerApp({
      streams: [{ name: 'orders', partitions: 3 }],
      providers: [Capped],
    });
    await waitFor(
      () => t!.workers.partitions()[0]?.unheld.length === 2,
      20_000,
      'two partitions reported unheld',
    );
    const health = new FluxHealthIndicator(
      new HealthIndicatorService(),
      t.app.get(EventStore),
      undefined,
      t.broker,
      t.workers,
    );
    const result = health.workersReading('w', { maxSilenceMs: 0 }).w as Record<string, unknown>;
    expect(result.status).toBe('down');
    expect(result.unheld).toEqual([
      {
        stream: 'orders',
        group: 'capped',
        partitions: expect.arrayContaining([expect.any(Number)]),
      },
    ]);
    expect((result.unheld as { partitions: number[] }[])[0].partitions).toHaveLength(2);
  });
});
