import 'reflect-metadata';
import { StreamRegistry } from '../../libs/flux/src/broker/registry/stream-registry.js';
import { Test, type TestingModule } from '@nestjs/testing';
import { HealthIndicatorService } from '@nestjs/terminus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DomainEvent,
  EventBroker,
  EventHandler,
  EventStore,
  FluxHealthIndicator,
  RedisPools,
  StreamConsumer,
} from '../../libs/flux/src/index.js';
import { FluxTestingModule } from '../../libs/flux/src/testing/index.js';
import { DeadLetters } from '../../libs/flux/src/board/dead-letters.js';
import { clusterSlot } from '../../libs/flux/src/broker/cluster/cluster-slot.js';
import { RedisCluster } from '../support/redis-cluster.js';

@DomainEvent('ClusterOrderPlaced')
class OrderPlaced {
  constructor(
    readonly order: number,
    readonly poison = false,
  ) {}
}

const seen = {
  ordered: [] as number[],
  parallel: [] as number[],
  replayed: [] as number[],
  /** Set once the poison message is fixed, before its replay. */
  cured: false,
};

@StreamConsumer('cl-orders', { group: 'ordered', block: 100, retryDelay: 20 })
class Ordered {
  @EventHandler(OrderPlaced) on(event: OrderPlaced) {
    if (!event.poison) seen.ordered.push(event.order);
  }
}

@StreamConsumer('cl-payments', {
  group: 'parallel',
  mode: 'many',
  consumers: 3,
  block: 100,
  maxDeliveries: 2,
  retryDelay: 20,
  maxRetryDelay: 50,
})
class Parallel {
  @EventHandler(OrderPlaced) on(event: OrderPlaced) {
    if (event.poison && !seen.cured) throw new Error(`poison order ${event.order}`);
    if (event.poison) seen.replayed.push(event.order);
    else seen.parallel.push(event.order);
  }
}

/** `@StreamConsumer` workers, dead letters, the board's replay and health on a real cluster. */
describe('Workers on a Redis Cluster', () => {
  let cluster: RedisCluster;
  let app: TestingModule;

  beforeAll(async () => {
    cluster = await RedisCluster.start();
    app = await Test.createTestingModule({
      imports: [
        FluxTestingModule.forRoot({
          redis: { default: { cluster: cluster.urls } },
          streams: ['cl-orders', 'cl-payments'],
        }),
      ],
      providers: [Ordered, Parallel],
    }).compile();
    app.useLogger(false);
    await app.init();
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await cluster?.stop();
  });

  it('reads in order, in parallel, and dead-letters a poison message that replays across slots', async () => {
    const broker = app.get(EventBroker);
    const tags = { type: 'ClusterOrderPlaced' };
    for (let i = 1; i <= 100; i++) {
      await broker.publish('cl-orders', { order: i, poison: false }, tags);
      await broker.publish('cl-payments', { order: i, poison: i === 50 }, tags);
    }
    await expect.poll(() => seen.ordered.length, { timeout: 20_000 }).toBe(100);
    expect(seen.ordered).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    await expect.poll(() => seen.parallel.length, { timeout: 20_000 }).toBe(99);

    // The dead letters live in another slot than their stream: replay takes the two-step path.
    const prefix = app.get(StreamRegistry).keyPrefix;
    expect(clusterSlot(`${prefix}cl-payments:dead`)).not.toBe(clusterSlot(`${prefix}cl-payments`));
    const letters = new DeadLetters(app.get(StreamRegistry), app.get(RedisPools), {});
    await expect
      .poll(async () => (await letters.peek('cl-payments', { limit: 10 })).total, {
        timeout: 20_000,
      })
      .toBe(1);
    const [letter] = (await letters.peek('cl-payments', { limit: 10 })).letters;
    expect(letter).toMatchObject({ originalStream: 'cl-payments', group: 'parallel' });
    expect(letter.error).toContain('poison order 50');
    seen.cured = true;
    await letters.replay('cl-payments', letter.id);
    await expect(letters.replay('cl-payments', letter.id)).rejects.toThrow(/not found/);
    // Replayed: the original tags are back, the failure tags gone; delivered afresh.
    await expect.poll(() => seen.replayed, { timeout: 20_000 }).toEqual([50]);
    expect((await letters.peek('cl-payments', { limit: 10 })).total).toBe(0);
  });

  it('reports health from every master', async () => {
    const health = new FluxHealthIndicator(
      new HealthIndicatorService(),
      app.get(EventStore),
      app.get(RedisPools),
    );
    expect(await health.redis()).toEqual({ flux_redis: { status: 'up', pools: ['default'] } });
  });
});
