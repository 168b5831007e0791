import 'reflect-metadata';
import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { REDIS_URL } from '../../broker/broker.spec-helpers.js';
import type { StreamEvent } from '../../broker/consume/stream-event.js';
import { Aggregate } from '../../event-sourcing/aggregate.decorator.js';
import { AggregateRoot } from '../../event-sourcing/aggregate-root.js';
import type { AggregateRepository } from '../../event-sourcing/aggregate-repository.js';
import { DomainEvent } from '../../event-sourcing/domain-event.decorator.js';
import { EventHandler } from '../../event-sourcing/event-handler.decorator.js';
import { EventStore } from '../../event-store/event-store.js';
import type { FluxTracingOption } from './enable-flux-tracing.js';
import { FluxModule } from '../../module/flux.module.js';
import { getAggregateRepositoryToken } from '../../module/inject-aggregate-repository.decorator.js';
import { FluxInstrumentation } from '../flux-instrumentation.js';
import { StreamConsumer } from '../../workers/stream-consumer.decorator.js';
import { NOOP_FLUX_TRACER } from './flux-tracer.js';

@DomainEvent('UntracedParcelShipped')
class ParcelShipped {
  constructor(readonly to: string) {}
}

@Aggregate({ name: 'untraced-parcel', stream: 'untraced-parcels' })
class Parcel extends AggregateRoot {
  ship(to: string) {
    this.apply(new ParcelShipped(to));
  }
  @EventHandler(ParcelShipped) onShipped() {}
}

const received: StreamEvent[] = [];

@StreamConsumer('untraced-parcels', { group: 'tracking', block: 100 })
class Tracking {
  @EventHandler(ParcelShipped) on(_event: ParcelShipped, msg: StreamEvent) {
    received.push(msg);
  }
}

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  received.length = 0;
});

async function start(tracing: FluxTracingOption | undefined): Promise<INestApplication> {
  const prefix = `flux-tracing-test:${randomBytes(6).toString('hex')}:`;
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
        streams: ['untraced-parcels'],
        ...(tracing === undefined ? {} : { tracing }),
      }),
      FluxModule.forFeature({ aggregates: [Parcel] }),
    ],
    providers: [Tracking],
  }).compile();
  const nest = moduleRef.createNestApplication({ logger: false });
  await nest.init();
  closers.push(() => nest.close());
  return nest;
}

async function shipOne(nest: INestApplication) {
  const parcels = nest.get<AggregateRepository<Parcel>>(getAggregateRepositoryToken(Parcel));
  const parcel = parcels.create('p-1');
  parcel.ship('Oslo');
  await parcels.save(parcel);
  await expect.poll(() => received.length, { timeout: 20_000 }).toBe(1);
  const [stored] = await nest.get(EventStore).readStream('p-1');
  return { stored, message: received[0] };
}

describe('tracing without an OpenTelemetry SDK', () => {
  it('uses the API when installed (auto), records nothing and carries no context', async () => {
    const nest = await start(undefined);
    const { tracer } = nest.get(FluxInstrumentation);
    // The API is loaded (this is not the no-op facade) but, with no SDK, reports nothing to do.
    expect(tracer).not.toBe(NOOP_FLUX_TRACER);
    expect(tracer.enabled).toBe(false);
    const { stored, message } = await shipOne(nest);
    expect(stored.metadata).not.toHaveProperty('traceparent');
    expect(message.tag('traceparent')).toBeUndefined();
    expect(await tracer.trace('probe', async () => tracer.traceparent())).toBeUndefined();
  }, 30_000);

  it('never touches the API with tracing: false', async () => {
    const nest = await start(false);
    expect(nest.get(FluxInstrumentation).tracer).toBe(NOOP_FLUX_TRACER);
    const { stored, message } = await shipOne(nest);
    expect(stored.metadata).not.toHaveProperty('traceparent');
    expect(message.tag('traceparent')).toBeUndefined();
  }, 30_000);
});
