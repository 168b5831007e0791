import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { FLUX_MODULE_OPTIONS } from '../module/flux.module-definition.js';
import type { FluxModuleOptions } from '../module/flux-module.options.js';
import { createBrokerProviders } from './broker.providers.js';
import { REDIS_URL } from './broker.spec-helpers.js';
import { EventBroker } from './event-broker.js';
import { RedisPools } from './pools/redis-pools.js';
import { StreamRegistry } from './registry/stream-registry.js';

function moduleWith(options: FluxModuleOptions) {
  @Module({
    providers: [
      { provide: FLUX_MODULE_OPTIONS, useValue: options },
      ...createBrokerProviders(FLUX_MODULE_OPTIONS),
    ],
    exports: [EventBroker, StreamRegistry],
  })
  class BrokerTestModule {}
  return BrokerTestModule;
}

describe('createBrokerProviders', () => {
  it('provides a working EventBroker and closes its connections on shutdown', async () => {
    const keyPrefix = `flux-test:${randomBytes(6).toString('hex')}:`;
    const ref = await Test.createTestingModule({
      imports: [moduleWith({ redis: { default: REDIS_URL }, streams: ['a'], keyPrefix })],
    }).compile();
    const app = ref.createNestApplication();
    await app.init();
    const broker = app.get(EventBroker);
    const registry = app.get(StreamRegistry);
    registry.register({ name: 'b' }); // what forFeature({ streams }) does
    await broker.publish('a', 1);
    await broker.publish('b', 2);
    const consumer = await broker.consumerMany('a');
    const reading = consumer.consume(10, 30_000, () => undefined); // reads 1, returns at once
    expect(await reading).toBe(1);
    const blocked = consumer.consume(10, 30_000, () => undefined);
    const client = app.get(RedisPools).get('default');
    await app.close(); // must not wait for the 30 s block
    expect(await blocked).toBe(0);
    expect(client.status).toBe('end');

    const admin = new Redis(REDIS_URL);
    expect(await admin.xlen(`${keyPrefix}b`)).toBe(1);
    await admin.del(`${keyPrefix}a`, `${keyPrefix}b`);
    admin.disconnect();
  });

  it('fails at bootstrap when a stream names an unconfigured pool', async () => {
    const building = Test.createTestingModule({
      imports: [moduleWith({ redis: {}, streams: [{ name: 'x', pool: 'main' }] })],
    }).compile();
    await expect(building).rejects.toThrow(/pool "main".*stream "x"/);
  });
});
