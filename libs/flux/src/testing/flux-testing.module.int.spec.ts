import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { EventBroker } from '../broker/event-broker.js';
import { EventStore } from '../event-store/event-store.js';
import { MemoryEventStore } from '../event-store/memory/memory-event-store.js';
import { FLUX_MODULE_OPTIONS } from '../module/flux.module-definition.js';
import type { FluxModuleOptions } from '../module/flux-module.options.js';
import { FluxTestingModule } from './flux-testing.module.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('FluxTestingModule', () => {
  it('uses the memory store and a random Redis prefix that is deleted on close', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [FluxTestingModule.forRoot({ redis: { default: REDIS_URL }, streams: ['orders'] })],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    expect(app.get(EventStore)).toBeInstanceOf(MemoryEventStore);
    const { keyPrefix } = app.get<FluxModuleOptions>(FLUX_MODULE_OPTIONS);
    expect(keyPrefix).toMatch(/^flux-test:[0-9a-f]{12}:$/);
    await app.get(EventBroker).publish('orders', { n: 1 });
    const admin = new Redis(REDIS_URL);
    try {
      expect(await admin.exists(`${keyPrefix}orders`)).toBe(1);
      await app.close();
      expect(await admin.keys(`${keyPrefix}*`)).toEqual([]);
    } finally {
      await admin.quit();
    }
  });

  it('also deletes the keys named in a partition slot ({<prefix>…}) on close', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        FluxTestingModule.forRoot({
          redis: { default: REDIS_URL },
          streams: [{ name: 'orders', partitions: 2 }],
        }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const { keyPrefix } = app.get<FluxModuleOptions>(FLUX_MODULE_OPTIONS);
    const admin = new Redis(REDIS_URL);
    try {
      await admin.set(`{${keyPrefix}orders:p0}:lease:g`, 'left#1'); // as if a holder crashed
      await app.get(EventBroker).publish('orders', 1, { aggregate_id: 'a' });
      await app.close();
      expect(await admin.keys(`${keyPrefix}*`)).toEqual([]);
      expect(await admin.keys(`{${keyPrefix}*`)).toEqual([]);
    } finally {
      await admin.quit();
    }
  });
});
