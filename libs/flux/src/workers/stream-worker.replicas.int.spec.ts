import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { REDIS_URL, waitFor } from '../broker/broker.spec-helpers.js';
import { EventBroker } from '../broker/event-broker.js';
import type { StreamEvent } from '../broker/consume/stream-event.js';
import { FluxModule } from '../module/flux.module.js';
import { FluxHealthIndicator } from '../observability/flux-health.indicator.js';
import { FluxHealthModule } from '../observability/flux-health.module.js';
import { StreamConsumer } from './stream-consumer.decorator.js';
import { StreamWorkers } from './stream-workers.orchestrator.js';
import { CapturingLogger } from './workers.spec-helpers.js';

/** Handled `n`s with the replica that handled them, in handling order. */
const handled: Array<{ n: number; by: string }> = [];

@StreamConsumer('jobs', { group: 'ordered', block: 100, leaseTtl: 1_000 })
class Ordered {
  async handle(events: StreamEvent[]) {
    for (const event of events) {
      handled.push({ n: event.unserialize<{ n: number }>().n, by: event.consumer });
    }
  }
}

const admin = new Redis(REDIS_URL);
const prefix = `flux-workers-test:${randomBytes(6).toString('hex')}:`;
const apps: Array<{ close(): Promise<void> }> = [];

/** One replica: an application of its own on the shared prefix. */
async function replica() {
  const moduleRef = await Test.createTestingModule({
    imports: [
      FluxModule.forRoot({ redis: { default: REDIS_URL }, keyPrefix: prefix, streams: ['jobs'] }),
      FluxHealthModule,
    ],
    providers: [Ordered],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: new CapturingLogger() });
  await app.init();
  apps.push(app);
  const status = () => app.get(StreamWorkers).status()[0];
  return { app, status, broker: app.get(EventBroker) };
}

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  handled.length = 0;
});
afterAll(async () => {
  const keys = await admin.keys(`${prefix}*`);
  if (keys.length) await admin.del(...keys);
  admin.disconnect();
});

describe('stream workers: single mode across replicas', () => {
  it('one replica reads, the others stand by healthy; a closed holder hands over in order', async () => {
    const replicas = [await replica(), await replica(), await replica()];
    await waitFor(() => replicas.every((r) => r.status().lease !== undefined), 20_000);
    const holders = replicas.filter((r) => r.status().lease === 'held');
    expect(holders).toHaveLength(1);
    const [holder] = holders;
    const standby = replicas.find((r) => r !== holder)!;
    expect(standby.status()).toMatchObject({ lease: 'standby', running: true, connected: true });
    const health = await standby.app.get(FluxHealthIndicator).workersReading();
    expect(health.flux_workers).toEqual({ status: 'up', workers: 1, standby: 1 });

    for (let n = 0; n < 50; n++) await holder.broker.publish('jobs', { n });
    await waitFor(() => handled.length >= 50, 20_000);
    const stats = await holder.broker.getStreamStatistics('jobs');
    expect(stats?.group?.leaseHolder).toBe(holder.status().consumerName);
    expect(stats?.group?.leaseHolder).toMatch(/^single-.+-\d+-[0-9a-f]{8}$/);

    await holder.app.close();
    for (let n = 50; n < 100; n++) await standby.broker.publish('jobs', { n });
    await waitFor(() => handled.length >= 100, 20_000);
    expect(handled.map((h) => h.n)).toEqual([...Array(100).keys()]);
    const byHolder = new Set(handled.slice(0, 50).map((h) => h.by));
    const byNext = new Set(handled.slice(50).map((h) => h.by));
    expect(byHolder.size).toBe(1);
    expect(byNext.size).toBe(1);
    expect(byNext).not.toEqual(byHolder);
  });

  it('a holder whose lease was taken stands by and reads nothing until it gets the lease again', async () => {
    const replicas = [await replica(), await replica()];
    await waitFor(() => replicas.some((r) => r.status().lease === 'held'), 20_000);
    const leaseKey = `{${prefix}jobs}:lease:ordered`;
    // Another process took the lease (as after a pause of the holder longer than leaseTtl).
    await admin.set(leaseKey, 'elsewhere#1', 'PX', 60_000);
    await waitFor(() => replicas.every((r) => r.status().lease === 'standby'), 20_000);
    for (let n = 0; n < 5; n++) await replicas[0].broker.publish('jobs', { n });
    const stats = await replicas[0].broker.getStreamStatistics('jobs');
    expect(stats?.group).toMatchObject({ leaseHolder: 'elsewhere', lag: 5 });
    await admin.del(leaseKey); // that process went away
    await waitFor(() => handled.length >= 5, 20_000);
    expect(handled.map((h) => h.n)).toEqual([0, 1, 2, 3, 4]);
    expect(replicas.filter((r) => r.status().lease === 'held')).toHaveLength(1);
  });
});
