import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { REDIS_URL } from '../broker/broker.spec-helpers.js';
import { EventBroker } from '../broker/event-broker.js';
import { FluxTestingModule } from '../testing/flux-testing.module.js';
import { FluxHealthIndicator } from './flux-health.indicator.js';
import { FluxHealthModule } from './flux-health.module.js';
import { freePort } from '../../../../test/support/free-port.js';

const apps: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function start(redis: Record<string, string>) {
  const moduleRef = await Test.createTestingModule({
    imports: [FluxTestingModule.forRoot({ redis, streams: ['h'] }), FluxHealthModule],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  apps.push(app);
  return app;
}

describe('FluxHealthIndicator', () => {
  it('reports Redis and the store up, and a lagging group down', async () => {
    const app = await start({ default: REDIS_URL });
    const health = app.get(FluxHealthIndicator);
    expect(await health.redis()).toEqual({ flux_redis: { status: 'up', pools: ['default'] } });
    expect((await health.eventStore()).flux_event_store.status).toBe('up');
    const broker = app.get(EventBroker);
    await broker.consumerMany('h', { group: 'slow' });
    for (let i = 0; i < 3; i++) await broker.publish('h', { i });
    expect((await health.streamLag(undefined, { maxLag: 5 })).flux_stream_lag.status).toBe('up');
    const down = await health.streamLag(undefined, { maxLag: 2 });
    expect(down.flux_stream_lag).toMatchObject({
      status: 'down',
      behind: [{ stream: 'h', group: 'slow', lag: 3 }],
    });
  });

  it('reports an unreachable Redis pool down, naming it and not the password', async () => {
    const port = await freePort();
    const app = await start({ default: REDIS_URL, other: `redis://:s3cret@127.0.0.1:${port}` });
    const result = await app.get(FluxHealthIndicator).redis(undefined, 300);
    expect(result.flux_redis.status).toBe('down');
    expect(Object.keys((result.flux_redis as unknown as { failures: object }).failures)).toEqual([
      'other',
    ]);
    expect(JSON.stringify(result)).not.toContain('s3cret');
  });
});
