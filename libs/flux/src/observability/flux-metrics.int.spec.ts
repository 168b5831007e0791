import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { REDIS_URL } from '../broker/broker.spec-helpers.js';
import { EventBroker } from '../broker/event-broker.js';
import type { AggregateRepository } from '../event-sourcing/aggregate-repository.js';
import { Account } from '../event-sourcing/fixtures/account.fixture.js';
import { getAggregateRepositoryToken } from '../module/inject-aggregate-repository.decorator.js';
import { FluxModule } from '../module/flux.module.js';
import { FluxTestingModule } from '../testing/flux-testing.module.js';
import { FluxMetricsModule } from './flux-metrics.module.js';

const apps: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function start(registry: Registry) {
  const moduleRef = await Test.createTestingModule({
    imports: [
      FluxTestingModule.forRoot({ redis: { default: REDIS_URL }, streams: ['metered'] }),
      FluxModule.forFeature({ aggregates: [Account] }),
      FluxMetricsModule.forRoot({ registry }),
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  apps.push(app);
  return app;
}

const value = async (registry: Registry, name: string, labels: Record<string, string> = {}) => {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const entry = (
    metric?.values as
      { value: number; labels: Record<string, unknown>; metricName?: string }[] | undefined
  )?.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val));
  return entry?.value;
};

describe('FluxMetricsModule', () => {
  it('times appends and loads per aggregate on the given registry', async () => {
    const registry = new Registry();
    const app = await start(registry);
    const accounts = app.get<AggregateRepository<Account>>(getAggregateRepositoryToken(Account));
    const account = accounts.create('m-1');
    account.open('m');
    await accounts.save(account);
    await accounts.load('m-1');
    const text = await registry.metrics();
    expect(text).toMatch(/flux_event_store_append_duration_seconds_count\{aggregate="account"\} 1/);
    expect(text).toMatch(/flux_event_store_load_duration_seconds_count\{aggregate="account"\} 1/);
  });

  it('counts published messages per stream: publish and flusher', async () => {
    const registry = new Registry();
    const app = await start(registry);
    const broker = app.get(EventBroker);
    await broker.publish('metered', { n: 1 });
    const flusher = broker.newFlusher();
    flusher.publish('metered', { n: 2 });
    flusher.publish('metered', { n: 3 });
    await flusher.flush();
    expect(await value(registry, 'flux_messages_published_total', { stream: 'metered' })).toBe(3);
  });

  it('reports stream length, lag and pending read from Redis at scrape time', async () => {
    const registry = new Registry();
    const app = await start(registry);
    const broker = app.get(EventBroker);
    for (let i = 0; i < 5; i++) await broker.publish('metered', { i });
    const consumer = await broker.consumerMany('metered', { group: 'g1' });
    // Read two without acking: they stay pending, three are still undelivered.
    await consumer
      .consume(2, 100, async () => Promise.reject(new Error('keep pending')))
      .catch(() => undefined);
    expect(await value(registry, 'flux_stream_length', { stream: 'metered' })).toBe(5);
    expect(await value(registry, 'flux_stream_pending', { stream: 'metered', group: 'g1' })).toBe(
      2,
    );
    expect(await value(registry, 'flux_stream_lag', { stream: 'metered', group: 'g1' })).toBe(3);
  });
});
