import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { EventBroker } from '../broker/event-broker.js';
import { REDIS_URL } from '../broker/broker.spec-helpers.js';
import { EventStore } from '../event-store/event-store.js';
import { FluxModule } from '../module/flux.module.js';
import { publishDeadLetter } from '../workers/dead-letter.js';
import { FluxBoardModule } from './board.module.js';
import type { FluxBoardOptions } from './board.options.js';

/** What an event's data may hold: user input, including markup. */
export const XSS = '<img src=x onerror=window.__xss=1>';

export interface BoardApp {
  app: INestApplication;
  broker: EventBroker;
  store: EventStore;
  /** Plain client for assertions. */
  admin: Redis;
  prefix: string;
  /** e.g. `http://127.0.0.1:41234/admin/flux` */
  boardUrl: string;
  close(): Promise<void>;
}

/**
 * A real app on 127.0.0.1:0 with the memory store, Redis under a random key prefix and the
 * board at `/admin/flux`. Streams: `orders`, and `payments` with its registered dead-letter
 * stream. `close()` deletes every key under the prefix.
 */
export async function startBoardApp(board: FluxBoardOptions = {}): Promise<BoardApp> {
  const prefix = `flux-test:${randomBytes(6).toString('hex')}:`;
  const moduleRef = await Test.createTestingModule({
    imports: [
      FluxModule.forRoot({
        redis: { default: REDIS_URL },
        keyPrefix: prefix,
        streams: ['orders', 'payments', 'payments:dead'],
      }),
      FluxBoardModule.forRoot({ path: 'admin/flux', public: true, ...board }),
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error'], forceCloseConnections: true });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  const admin = new Redis(REDIS_URL);
  return {
    app,
    broker: app.get(EventBroker),
    store: app.get(EventStore),
    admin,
    prefix,
    boardUrl: `http://127.0.0.1:${port}/${board.path ?? 'admin/flux'}`,
    async close() {
      await app.close();
      const keys = await admin.keys(`${prefix}*`);
      if (keys.length > 0) await admin.del(...keys);
      await admin.quit();
    },
  };
}

/**
 * Publishes `bodies` to `payments` and dead-letters each through a real consumer of group
 * `ledger`, the way a worker does after `maxDeliveries`. Resolves with the dead-letter ids.
 */
export async function seedDeadLetters(broker: EventBroker, bodies: unknown[]): Promise<string[]> {
  for (const [i, body] of bodies.entries()) {
    await broker.publish('payments', body, { type: 'PaymentFailed', aggregate_id: `pay-${i + 1}` });
  }
  const consumer = await broker.consumerSingle('payments', { group: 'ledger' });
  const ids: string[] = [];
  await consumer.consume(bodies.length, 100, async (events) => {
    for (const event of events) {
      ids.push(await publishDeadLetter(broker, event, new Error(`card declined ${XSS}`)));
    }
  });
  return ids;
}

/** Appends a few account events: acc-1 has three, acc-2 two; positions 1..5. */
export async function seedEvents(store: EventStore): Promise<void> {
  const o = (v: number) => ({ expectedVersion: v, aggregateName: 'account' });
  await store.append('acc-1', [{ type: 'AccountOpened', data: { owner: 'ann' } }], o(0));
  await store.append('acc-2', [{ type: 'AccountOpened', data: { owner: XSS } }], o(0));
  await store.append('acc-1', [{ type: 'AccountCredited', data: { amount: 500 } }], o(1));
  await store.append('acc-2', [{ type: 'AccountCredited', data: { amount: 70 } }], o(1));
  await store.append('acc-1', [{ type: 'AccountDebited', data: { amount: 120 } }], o(2));
}
