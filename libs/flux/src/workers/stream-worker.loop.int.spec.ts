/* eslint-disable @typescript-eslint/no-unused-vars -- the two worker-loop spec files share one set of consumers and helpers (split so that the outage tests, which leave connections behind, run in a process of their own); each uses part of them */
import 'reflect-metadata';
import type { Type } from '@nestjs/common';
import type { RedisOptions } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../broker/consume/stream-event.js';
import { FluxInstrumentation } from '../observability/flux-instrumentation.js';
import { HalfOpenProxy } from './half-open-proxy.spec-helpers.js';
import { StreamConsumer } from './stream-consumer.decorator.js';
import { createWorkerApp, REDIS_URL, waitFor, type WorkerApp } from './workers.spec-helpers.js';

/**
 * The loop of one worker against the real Redis: a read that never answers, a lease taken from
 * under it, backoff between failed batches, reclaiming, shutdown in each phase, its status.
 */

/** Handling per test: how often message `n` fails in a group (key `group/n`), how long it takes. */
const plan = {
  failTimes: new Map<string, number>(),
  /** Ms a handler spends on each message. */
  takes: 0,
  /** Resolved by the test to let a handler waiting on it finish. */
  gate: undefined as Promise<void> | undefined,
};
/** What the handlers saw, in order. */
const seen: Array<{ group: string; n: number; at: number; deliveries: number; ok: boolean }> = [];

async function handleAll(events: StreamEvent[]): Promise<void> {
  for (const event of events) {
    const { n } = event.unserialize<{ n: number }>();
    const { group, deliveryCount: deliveries } = event;
    if (plan.takes > 0) await sleep(plan.takes);
    if (plan.gate) await plan.gate;
    const tries = seen.filter((s) => s.n === n && s.group === group).length + 1;
    const ok = tries > (plan.failTimes.get(`${group}/${n}`) ?? 0);
    seen.push({ group, n, at: Date.now(), deliveries, ok });
    if (!ok) throw new Error(`refusing ${n} (try ${tries})`);
  }
}

@StreamConsumer('jobs', { group: 'stall', mode: 'many', block: 200, retryDelay: 50 })
class StallReader {
  handle = handleAll;
}

@StreamConsumer('jobs', { group: 'outage', mode: 'many', block: 200, retryDelay: 50 })
class OutageReader {
  handle = handleAll;
}

@StreamConsumer('jobs', { group: 'fenced', block: 200, leaseTtl: 30_000, retryDelay: 50 })
class FencedReader {
  handle = handleAll;
}

@StreamConsumer('jobs', {
  group: 'backoff',
  mode: 'many',
  block: 200,
  retryDelay: 200,
  maxRetryDelay: 1_600,
})
class BackingOff {
  handle = handleAll;
}

@StreamConsumer('jobs', { group: 'reclaim', mode: 'many', block: 200, claimIdle: 300 })
class Reclaimer {
  handle = handleAll;
}

@StreamConsumer('jobs', { group: 'short-lease', block: 200, leaseTtl: 1_500 })
class ShortLease {
  handle = handleAll;
}

@StreamConsumer('jobs', { group: 'long-block', mode: 'many', block: 30_000 })
class LongBlock {
  handle = handleAll;
}

@StreamConsumer('jobs', { group: 'long-backoff', mode: 'many', block: 200, retryDelay: 30_000 })
class LongBackoff {
  handle = handleAll;
}

@StreamConsumer('jobs', { group: 'stuck', mode: 'many', block: 200 })
class StuckOpening {
  handle = handleAll;
}

@StreamConsumer('jobs', { group: 'status-many', mode: 'many', block: 200 })
class StatusMany {
  handle = handleAll;
}

/** Backs off longer than `claimIdle`: a reclaim timer, were there one, would claim its message. */
@StreamConsumer('jobs', { group: 'status-single', block: 200, claimIdle: 100, retryDelay: 400 })
class StatusSingle {
  handle = handleAll;
}

const apps: WorkerApp[] = [];
const proxies: HalfOpenProxy[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
  plan.failTimes.clear();
  plan.takes = 0;
  plan.gate = undefined;
  seen.length = 0;
});

async function start(
  consumers: Type[],
  redis?: string | RedisOptions,
  init = true,
): Promise<WorkerApp> {
  const app = await createWorkerApp({ streams: ['jobs'], providers: consumers, redis, init });
  apps.push(app);
  return app;
}

const publish = async (t: WorkerApp, ...numbers: number[]) => {
  for (const n of numbers) await t.broker.publish('jobs', { n });
};

const pending = async (t: WorkerApp, group: string) =>
  ((await t.admin.xpending(t.key('jobs'), group)) as [number])[0];

const consumersOf = async (t: WorkerApp, group: string) =>
  ((await t.admin.xinfo('CONSUMERS', t.key('jobs'), group)) as unknown[][]).map((c) => c[1]);

/** Whether a connection named `name` is blocked in a read (other suites block reads too). */
const blockedRead = async (t: WorkerApp, name: string) =>
  ((await t.admin.call('client', 'list')) as string)
    .split('\n')
    .some((line) => line.includes(` name=${name} `) && line.includes('cmd=xreadgroup'));

const statusOf = (t: WorkerApp, consumer: string) =>
  t.workers.status().find((s) => s.consumer === consumer)!;

/** A gate a handler waits on, and the function that opens it. */
function gate(): () => void {
  let open!: () => void;
  plan.gate = new Promise<void>((resolve) => (open = resolve));
  return open;
}

describe('stream worker loop: a read that never answers', () => {
  it('is an outage after block + 10 s: logged once, the consumer replaced, reading resumes', async () => {
    const redis = new URL(REDIS_URL);
    const proxy = await HalfOpenProxy.start(redis.hostname, Number(redis.port || 6379));
    proxies.push(proxy);
    const t = await start([StallReader], `redis://127.0.0.1:${proxy.port}`);
    const readingSince = Date.now();
    await publish(t, 1);
    await waitFor(() => seen.length === 1, 20_000, 'first message');
    // Setup, not a check: 3 s of reads before the freeze, so a stall timer left over from one
    // of them would go off during the frozen read, early.
    await sleep(Math.max(0, readingSince + 3_000 - Date.now()));
    const firstConsumer = t.workers.status()[0].consumerName;
    expect(firstConsumer).toMatch(/^consumer-/);

    proxy.freeze();
    await waitFor(() => proxy.frozenAt.length === 1, 20_000, 'a read frozen');
    await waitFor(() => !t.workers.status()[0].connected, 30_000, 'the stall detected');
    const detectedAt = Date.now();
    // The read was given its block time (200 ms) and the 10 s margin, not less.
    expect(detectedAt - proxy.frozenAt[0]).toBeGreaterThanOrEqual(9_000);
    expect(t.workers.status()[0]).toMatchObject({
      running: true,
      connected: false,
      lastError: 'Error: read exceeded block time by 10000 ms',
    });
    const outage = new RegExp(
      `^Cannot read stream "jobs" group "stall" as "${firstConsumer}": ` +
        `Error: read exceeded block time by 10000 ms\\. Retrying with backoff`,
    );
    expect(t.logger.count('error', outage)).toBe(1);
    // The stalled consumer was closed (its connection with it) and a new one reads: frozen
    // too, so the outage lasts. The abandoned read did not count as a successful one.
    await waitFor(() => proxy.closedByClient === 1, 20_000, 'stalled connection closed');
    await waitFor(() => proxy.frozenAt.length === 2, 20_000, 'the new consumer reading');
    expect(t.workers.status()[0].connected).toBe(false);
    expect(t.logger.count('log', /again after/)).toBe(0);

    await proxy.thaw();
    await waitFor(() => t.workers.status()[0].connected, 30_000, 'reading again');
    await publish(t, 2);
    await waitFor(() => seen.length === 2, 20_000, 'message after the stall');
    const status = t.workers.status()[0];
    expect(status.consumerName).toMatch(/^consumer-/);
    expect(status.consumerName).not.toBe(firstConsumer);
    expect(status.lastError).toBeUndefined();
    expect(status.lastReadAt!.getTime()).toBeGreaterThan(detectedAt);
    expect(t.logger.count('error', /Cannot read/)).toBe(1);
    expect(
      t.logger.count('log', /^Reading stream "jobs" group "stall" again after \d+\.\ds without/),
    ).toBe(1);
  });
});

describe('stream worker loop: Redis unreachable', () => {
  it('starting while Redis is down: logs the outage once, opens its consumer once it is back', async () => {
    const redis = new URL(REDIS_URL);
    const proxy = await HalfOpenProxy.start(redis.hostname, Number(redis.port || 6379));
    proxies.push(proxy);
    proxy.cut(); // no consumer can be opened
    const options = { port: proxy.port, maxRetriesPerRequest: 1, retryStrategy: () => 100 };
    const t = await start([OutageReader], { host: '127.0.0.1', ...options });
    await waitFor(() => t.logger.count('error', /Cannot read/) === 1, 20_000, 'outage logged');
    // No consumer yet, so none is named.
    expect(t.logger.count('error', /^Cannot read stream "jobs" group "outage": /)).toBe(1);
    expect(t.workers.status()[0]).toMatchObject({ running: true, connected: false });
    await proxy.thaw();
    await waitFor(() => t.workers.status()[0].connected, 20_000, 'reading');
    await publish(t, 1);
    await waitFor(() => seen.length === 1, 20_000, 'message handled');
    expect(t.logger.count('error', /Cannot read/)).toBe(1);
  });

  it('logs the outage once, keeps its consumer (and its pending messages) and reads on', async () => {
    const redis = new URL(REDIS_URL);
    const proxy = await HalfOpenProxy.start(redis.hostname, Number(redis.port || 6379));
    proxies.push(proxy);
    // Commands fail fast instead of waiting in the offline queue, so the outage is visible.
    const options = { port: proxy.port, maxRetriesPerRequest: 1, retryStrategy: () => 100 };
    const t = await start([OutageReader], { host: '127.0.0.1', ...options });
    await publish(t, 1);
    await waitFor(() => seen.length === 1, 20_000, 'first message');
    const name = t.workers.status()[0].consumerName!;

    proxy.cut();
    await waitFor(() => !t.workers.status()[0].connected, 20_000, 'outage seen');
    await waitFor(() => t.logger.count('error', /Cannot read/) === 1, 20_000, 'outage logged');
    expect(
      t.logger.count(
        'error',
        new RegExp(`^Cannot read stream "jobs" group "outage" as "${name}": `),
      ),
    ).toBe(1);
    await proxy.thaw();
    await waitFor(() => t.workers.status()[0].connected, 20_000, 'reading again');
    await publish(t, 2);
    await waitFor(() => seen.length === 2, 20_000, 'message after the outage');
    // The same consumer: a new name would leave what the old one held to be reclaimed.
    expect(t.workers.status()[0].consumerName).toBe(name);
    expect(t.logger.count('error', /Cannot read/)).toBe(1);
    expect(t.logger.count('log', /^Reading stream "jobs" group "outage" again after/)).toBe(1);
  });
});

describe('stream worker loop: a lease taken from under the worker', () => {
  const leaseKey = (t: WorkerApp) => `{${t.prefix}jobs}:lease:fenced`;

  it('a refused read: the consumer leaves the group, stands by, reads on once it holds the lease again', async () => {
    const t = await start([FencedReader]);
    await waitFor(() => t.workers.status()[0].lease === 'held', 20_000, 'lease held');
    await publish(t, 1);
    await waitFor(() => seen.length === 1, 20_000, 'first message');
    const name = t.workers.status()[0].consumerName!;
    expect(await consumersOf(t, 'fenced')).toEqual([name]);

    // Another process takes the lease (as after a pause of this one longer than leaseTtl).
    await t.admin.set(leaseKey(t), 'elsewhere#1', 'PX', 60_000);
    await waitFor(() => t.workers.status()[0].lease === 'standby', 20_000, 'standing by');
    // Its next read was refused: it stopped reading and left the group (it held nothing).
    expect(t.logger.count('warn', /^Lease ".*lease:fenced" is no longer held/)).toBe(1);
    expect(
      t.logger.count(
        'warn',
        /^Lost the lease of stream "jobs" group "fenced" \(refused by Redis \(fenced\)\); standing by\.$/,
      ),
    ).toBe(1);
    await waitFor(async () => (await consumersOf(t, 'fenced')).length === 0, 20_000, 'left');
    expect(t.workers.status()[0]).toMatchObject({ consumerName: undefined, connected: true });
    // A stand-by that reaches Redis is healthy: its polls count as reads.
    const polledSince = Date.now();
    await waitFor(
      () => t.workers.status()[0].lastReadAt!.getTime() > polledSince,
      20_000,
      'stand-by polling',
    );

    await publish(t, 2);
    await t.admin.del(leaseKey(t)); // that process went away
    await waitFor(() => seen.length === 2, 20_000, 'read again');
    expect(seen.map((s) => s.n)).toEqual([1, 2]);
    expect(t.workers.status()[0].lease).toBe('held');
    expect(t.logger.count('warn', /Lost the lease/)).toBe(1);
  });
});
