import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { REDIS_URL, waitFor } from '../broker/broker.spec-helpers.js';
import { Aggregate } from '../event-sourcing/aggregate.decorator.js';
import { AggregateRoot } from '../event-sourcing/aggregate-root.js';
import type { AggregateRepository } from '../event-sourcing/aggregate-repository.js';
import { DomainEvent } from '../event-sourcing/domain-event.decorator.js';
import { EventHandler } from '../event-sourcing/event-handler.decorator.js';
import { FluxModule } from '../module/flux.module.js';
import { FluxInstrumentation } from '../observability/flux-instrumentation.js';
import { getAggregateRepositoryToken } from '../module/inject-aggregate-repository.decorator.js';

@DomainEvent('ParcelShipped')
class ParcelShipped {
  constructor(readonly to: string) {}
}

@Aggregate({ name: 'parcel', stream: 'parcels' })
class Parcel extends AggregateRoot {
  destination = '';
  ship(to: string) {
    this.apply(new ParcelShipped(to));
  }
  @EventHandler(ParcelShipped) onShipped(e: ParcelShipped) {
    this.destination = e.to;
  }
}

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function app(streams: string[], prefix: string) {
  const moduleRef = await Test.createTestingModule({
    imports: [
      FluxModule.forRoot({ redis: { default: REDIS_URL }, keyPrefix: prefix, streams }),
      FluxModule.forFeature({ aggregates: [Parcel] }),
    ],
  }).compile();
  const nest = moduleRef.createNestApplication({ logger: false });
  await nest.init();
  return nest;
}

describe('relay wiring', () => {
  it('publishes what the repository saves to the aggregate stream', async () => {
    const prefix = `flux-test:${randomBytes(6).toString('hex')}:`;
    const admin = new Redis(REDIS_URL);
    closers.push(async () => {
      const keys = await admin.keys(`${prefix}*`);
      if (keys.length) await admin.del(...keys);
      await admin.quit();
    });
    const nest = await app(['parcels'], prefix);
    closers.push(() => nest.close());
    const published: Array<[string, number]> = [];
    nest
      .get(FluxInstrumentation)
      .subscribe({ published: (stream, n) => published.push([stream, n]) });
    const parcels = nest.get<AggregateRepository<Parcel>>(getAggregateRepositoryToken(Parcel));
    const parcel = parcels.create('p-1');
    parcel.ship('Oslo');
    await parcels.save(parcel, { correlationId: 'req-1' });
    await waitFor(async () => (await admin.xlen(`${prefix}parcels`)) === 1);
    await waitFor(() => published.length === 1);
    expect(published).toEqual([['parcels', 1]]);
    const [[, fields]] = await admin.xrange(`${prefix}parcels`, '-', '+');
    expect(fields).toEqual(
      expect.arrayContaining([
        'type',
        'ParcelShipped',
        'aggregate_id',
        'p-1',
        'version',
        '1',
        'correlation_id',
        'req-1',
      ]),
    );
  });

  it('fails the bootstrap when the aggregate stream is not registered, naming it', async () => {
    await expect(app([], 'flux-test:unused:')).rejects.toThrow(
      /Stream "parcels" is not registered/,
    );
  });
});
