import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { REDIS_URL, waitFor } from '../broker/broker.spec-helpers.js';
import { partitionOf } from '../broker/partitions/partition-hash.js';
import { Aggregate } from '../event-sourcing/aggregate.decorator.js';
import { AggregateRoot } from '../event-sourcing/aggregate-root.js';
import type { AggregateRepository } from '../event-sourcing/aggregate-repository.js';
import { DomainEvent } from '../event-sourcing/domain-event.decorator.js';
import { EventHandler } from '../event-sourcing/event-handler.decorator.js';
import { FluxModule } from '../module/flux.module.js';
import { getAggregateRepositoryToken } from '../module/inject-aggregate-repository.decorator.js';

@DomainEvent('CartItemAdded')
class ItemAdded {
  constructor(readonly item: number) {}
}

@Aggregate({ name: 'cart', stream: 'carts' })
class Cart extends AggregateRoot {
  items: number[] = [];
  add(item: number) {
    this.apply(new ItemAdded(item));
  }
  @EventHandler(ItemAdded) onAdded(e: ItemAdded) {
    this.items.push(e.item);
  }
}

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

describe('relay into a partitioned stream', () => {
  it("routes each aggregate's events to its partition, in version order", async () => {
    const prefix = `flux-test:${randomBytes(6).toString('hex')}:`;
    const admin = new Redis(REDIS_URL);
    closers.push(async () => {
      const keys = await admin.keys(`${prefix}*`);
      if (keys.length) await admin.del(...keys);
      await admin.quit();
    });
    const moduleRef = await Test.createTestingModule({
      imports: [
        FluxModule.forRoot({
          redis: { default: REDIS_URL },
          keyPrefix: prefix,
          streams: [{ name: 'carts', partitions: 4 }],
        }),
        FluxModule.forFeature({ aggregates: [Cart] }),
      ],
    }).compile();
    const nest = moduleRef.createNestApplication({ logger: false });
    await nest.init();
    closers.push(() => nest.close());
    const carts = nest.get<AggregateRepository<Cart>>(getAggregateRepositoryToken(Cart));
    const ids = Array.from({ length: 10 }, (_, i) => `cart-${i}`);
    for (let round = 0; round < 3; round++) {
      for (const id of ids) {
        const cart = round === 0 ? carts.create(id) : await carts.load(id);
        cart.add(round);
        await carts.save(cart);
      }
    }
    const partitionKey = (p: number) => `${prefix}carts:p${p}`;
    const total = async () => {
      let n = 0;
      for (let p = 0; p < 4; p++) n += await admin.xlen(partitionKey(p));
      return n;
    };
    await waitFor(async () => (await total()) === 30, 20_000, 'all 30 events relayed');
    expect(await admin.exists(`${prefix}carts`)).toBe(0);
    for (let p = 0; p < 4; p++) {
      const versions = new Map<string, string[]>();
      for (const [, fields] of await admin.xrange(partitionKey(p), '-', '+')) {
        const tags: Record<string, string> = {};
        for (let i = 0; i < fields.length; i += 2) tags[fields[i]] = fields[i + 1];
        expect(partitionOf(tags.aggregate_id, 4)).toBe(p);
        versions.set(tags.aggregate_id, [...(versions.get(tags.aggregate_id) ?? []), tags.version]);
      }
      for (const list of versions.values()) expect(list).toEqual(['1', '2', '3']);
    }
  });
});
