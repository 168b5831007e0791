import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL } from '../broker/broker.spec-helpers.js';
import { EventStore } from '../event-store/event-store.js';
import { PostgresEventStore } from '../event-store/postgres/postgres-event-store.js';
import {
  dropTestSchema,
  randomSchema,
  TEST_POSTGRES_URL,
} from '../event-store/postgres/postgres-test-support.js';
import { FluxModule } from '../module/flux.module.js';
import { FluxBoardModule } from './board.module.js';
import { seedEvents } from './board.spec-helpers.js';

const allowAll = { canActivate: () => true };

/** The board on an app configured with `eventStore: { type: 'postgres' }`. */
describe('board API on the PostgreSQL event store', () => {
  const schema = randomSchema();
  const prefix = `flux-test:${randomBytes(6).toString('hex')}:`;
  let app: INestApplication;
  let boardUrl: string;
  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        FluxModule.forRoot({
          eventStore: { type: 'postgres', url: TEST_POSTGRES_URL, schema, synchronize: true },
          redis: { default: REDIS_URL },
          keyPrefix: prefix,
          streams: ['orders'],
        }),
        FluxBoardModule.forRoot({ path: 'admin/flux', guards: [allowAll] }),
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: ['error'], forceCloseConnections: true });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    boardUrl = `http://127.0.0.1:${port}/admin/flux`;
  });
  afterAll(async () => {
    await app?.close();
    const admin = new Redis(REDIS_URL);
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
    await admin.quit();
    await dropTestSchema(schema);
  });

  it('pages the global log and one aggregate history from PostgreSQL', async () => {
    const store = app.get(EventStore);
    expect(store).toBeInstanceOf(PostgresEventStore);
    await seedEvents(store);
    const latest: any = await (await fetch(`${boardUrl}/api/events?limit=2`)).json();
    expect(latest.lastPosition).toBe(5);
    expect(latest.events.map((e: { position: number }) => e.position)).toEqual([5, 4]);
    expect(latest.events[0]).toMatchObject({
      aggregateId: 'acc-1',
      version: 3,
      data: { amount: 120 },
    });
    const history: any = await (await fetch(`${boardUrl}/api/aggregates/acc-1/events`)).json();
    expect(history.events.map((e: { version: number }) => e.version)).toEqual([1, 2, 3]);
  });
});
