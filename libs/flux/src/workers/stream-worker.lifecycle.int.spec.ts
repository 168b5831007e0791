import 'reflect-metadata';
import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../broker/consume/stream-event.js';
import { StreamConsumer } from './stream-consumer.decorator.js';
import { createWorkerApp, waitFor, type WorkerApp } from './workers.spec-helpers.js';
import { freePort } from '../../../../test/support/free-port.js';
import {
  stopRedisServer as killRedisServer,
  startRedisServer,
} from '../../../../test/support/redis-server.js';

const seen: Array<{ n: number; deliveries: number; finishedAt: number }> = [];

@StreamConsumer('jobs', { group: 'slow', block: 200 })
class Slow {
  async handle(events: StreamEvent[]) {
    for (const event of events) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      seen.push({ n: event.unserialize<{ n: number }>().n, deliveries: 0, finishedAt: Date.now() });
    }
  }
}

@StreamConsumer('jobs', { group: 'reclaim', mode: 'many', block: 200, claimIdle: 300 })
class Reclaimer {
  async handle(events: StreamEvent[]) {
    for (const event of events) {
      const { n } = event.unserialize<{ n: number }>();
      seen.push({ n, deliveries: event.deliveryCount, finishedAt: Date.now() });
    }
  }
}

@StreamConsumer('jobs', { group: 'survivor', block: 200, retryDelay: 50, maxRetryDelay: 300 })
class Survivor {
  async handle(events: StreamEvent[]) {
    for (const event of events) {
      seen.push({ n: event.unserialize<{ n: number }>().n, deliveries: 0, finishedAt: Date.now() });
    }
  }
}

const apps: WorkerApp[] = [];
const servers: ChildProcess[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  seen.length = 0;
});
afterAll(async () => {
  await Promise.all(servers.map((server) => killRedisServer(server)));
});

async function publish(t: WorkerApp, ...numbers: number[]): Promise<void> {
  for (const n of numbers) await t.broker.publish('jobs', { n });
}

describe('stream workers: lifecycle', () => {
  it('app.close() waits for the batch in hand and acks it', async () => {
    const t = await createWorkerApp({ streams: ['jobs'], providers: [Slow], init: false });
    apps.push(t);
    await publish(t, 1, 2, 3, 4); // before start, so the first read takes all four as one batch
    await t.app.init();
    await waitFor(() => seen.length === 1, 5_000, 'first message handled');
    const closeCalledAt = Date.now();
    await t.app.close();
    // Close began with messages 2-4 still in hand (150 ms each) and resolved only after the last.
    expect(seen.map((s) => s.n)).toEqual([1, 2, 3, 4]);
    expect(seen[3].finishedAt).toBeGreaterThanOrEqual(closeCalledAt);
    expect(t.workers.status()[0].running).toBe(false);
    const [pending] = (await t.admin.xpending(t.key('jobs'), 'slow')) as [number];
    expect(pending).toBe(0);
    expect(await t.admin.xlen(t.key('jobs'))).toBe(0); // acked and deleted
  });

  it('reclaims the pending messages of a consumer that died', async () => {
    const t = await createWorkerApp({ streams: ['jobs'], providers: [Reclaimer], init: false });
    apps.push(t);
    await publish(t, 1, 2, 3);
    const dead = await t.broker.consumerMany('jobs', { group: 'reclaim' });
    await dead
      .consume(10, 0, () => Promise.reject(new Error('crashed mid-batch')))
      .catch(() => undefined);
    await dead.close(); // abandoned, still holding the three messages
    await t.app.init();
    await publish(t, 4);
    await waitFor(() => seen.length === 4, 5_000, 'all four handled');
    expect(seen.map((s) => s.n).sort()).toEqual([1, 2, 3, 4]);
    expect(seen.filter((s) => s.n < 4).every((s) => s.deliveries === 2)).toBe(true);
    await waitFor(
      async () => ((await t.admin.xpending(t.key('jobs'), 'reclaim')) as [number])[0] === 0,
    );
  });

  it('resumes by itself after Redis restarts', async () => {
    const port = await freePort();
    let server = await startRedisServer(port);
    servers.push(server);
    const t = await createWorkerApp({
      streams: ['jobs'],
      providers: [Survivor],
      redis: `redis://127.0.0.1:${port}`,
    });
    apps.push(t);
    await publish(t, 1, 2);
    await waitFor(() => seen.length === 2, 5_000, 'first messages');

    await killRedisServer(server);
    await new Promise((resolve) => setTimeout(resolve, 500)); // let the worker hit the outage
    server = await startRedisServer(port);
    servers.push(server);
    const restartedAt = Date.now();

    await waitFor(
      async () =>
        await t.broker.publish('jobs', { n: 3 }).then(
          () => true,
          () => false,
        ),
      10_000,
      'publish after restart',
    );
    await publish(t, 4);
    await waitFor(() => seen.length === 4, 15_000, 'messages after restart');
    expect(seen.map((s) => s.n)).toEqual([1, 2, 3, 4]);
    const [status] = t.workers.status();
    expect(status.running).toBe(true);
    expect(status.connected).toBe(true);
    expect(status.lastReadAt!.getTime()).toBeGreaterThanOrEqual(restartedAt);
  });

  it('logs an outage once and reports it in the status', async () => {
    const port = await freePort();
    let server = await startRedisServer(port);
    servers.push(server);
    // Commands fail fast instead of waiting in the offline queue, so the outage is visible.
    const redis = { host: '127.0.0.1', port, maxRetriesPerRequest: 1, retryStrategy: () => 100 };
    const t = await createWorkerApp({ streams: ['jobs'], providers: [Survivor], redis });
    apps.push(t);
    await publish(t, 1);
    await waitFor(() => seen.length === 1, 5_000, 'first message');

    await killRedisServer(server);
    await waitFor(() => t.workers.status()[0].connected === false, 10_000, 'outage seen');
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // several failed retries
    expect(t.workers.status()[0]).toMatchObject({ running: true, connected: false });
    expect(t.workers.status()[0].lastError).toMatch(
      /ECONNREFUSED|Connection is closed|max retries|MaxRetriesPerRequest/i,
    );
    server = await startRedisServer(port);
    servers.push(server);

    await waitFor(() => t.workers.status()[0].connected, 10_000, 'reconnected');
    await publish(t, 2);
    await waitFor(() => seen.length === 2, 10_000, 'message after restart');
    expect(t.logger.count('error', /Cannot read stream "jobs"/)).toBe(1);
    expect(t.logger.count('log', /Reading stream "jobs" group "survivor" again after/)).toBe(1);
  });
});
