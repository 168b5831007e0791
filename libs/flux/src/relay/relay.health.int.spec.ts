import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { REDIS_URL, waitFor } from '../broker/broker.spec-helpers.js';
import { Aggregate } from '../event-sourcing/aggregate.decorator.js';
import { AggregateRoot } from '../event-sourcing/aggregate-root.js';
import type { AggregateRepository } from '../event-sourcing/aggregate-repository.js';
import { DomainEvent } from '../event-sourcing/domain-event.decorator.js';
import { EventHandler } from '../event-sourcing/event-handler.decorator.js';
import { EventStore } from '../event-store/event-store.js';
import { FluxModule } from '../module/flux.module.js';
import { getAggregateRepositoryToken } from '../module/inject-aggregate-repository.decorator.js';
import { FluxHealthIndicator } from '../observability/flux-health.indicator.js';
import { FluxHealthModule } from '../observability/flux-health.module.js';
import { RelayService } from './relay.service.js';

@DomainEvent('CrateLoaded')
class CrateLoaded {
  constructor(readonly kg: number) {}
}

@Aggregate({ name: 'crate', stream: 'crates' })
class Crate extends AggregateRoot {
  kg = 0;
  load(kg: number) {
    this.apply(new CrateLoaded(kg));
  }
  @EventHandler(CrateLoaded) onLoaded(e: CrateLoaded) {
    this.kg += e.kg;
  }
}

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

describe('relay checkpoint the store does not hold', () => {
  it('reports the relay down with the typed error until the checkpoint is reset', async () => {
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
          streams: ['crates'],
          relay: { pollInterval: 20 },
        }),
        FluxModule.forFeature({ aggregates: [Crate] }),
        FluxHealthModule,
      ],
    }).compile();
    const nest = moduleRef.createNestApplication({ logger: false });
    await nest.init();
    closers.push(() => nest.close());
    const relay = nest.get(RelayService);
    const health = nest.get(FluxHealthIndicator);
    const { default: keys } = await relay.keys();
    expect(keys.checkpoint).toBe(
      `${prefix}flux:relay:{${await nest.get(EventStore).storeId()}}:crate:checkpoint`,
    );
    // A checkpoint naming an event this store never had at position 1.
    await admin.hset(keys.checkpoint, 'position', '1', 'event_id', randomUUID());
    const crates = nest.get<AggregateRepository<Crate>>(getAggregateRepositoryToken(Crate));
    const crate = crates.create('c-1');
    crate.load(5);
    await crates.save(crate);
    await waitFor(() => relay.statuses().default.lastError !== null, 20_000);
    const down = await health.relayLag();
    expect(down.flux_relay.status).toBe('down');
    expect(JSON.stringify(down)).toContain('at position 1');
    expect(relay.statuses().default.lastError).toMatch(/no longer holds there/);
    expect(await admin.xlen(`${prefix}crates`)).toBe(0);

    await relay.resetCheckpoint();
    await waitFor(async () => (await admin.xlen(`${prefix}crates`)) === 1, 20_000);
    await waitFor(() => relay.statuses().default.lastError === null, 20_000);
    expect((await health.relayLag()).flux_relay.status).toBe('up');
    // A memory store's checkpoint cannot serve a later run: it expires instead of piling up.
    expect(await admin.pttl(keys.checkpoint)).toBeGreaterThan(6 * 24 * 3_600_000);
    await expect(relay.resetCheckpoint({ pool: 'other' })).rejects.toThrow(/pool "other"/);
  });
});
