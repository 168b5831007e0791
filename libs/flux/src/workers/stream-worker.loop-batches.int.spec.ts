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
/** Opens the gate of the current test, so a failed test's handler does not hold its app's close. */
let openGate: (() => void) | undefined;
afterEach(async () => {
  openGate?.();
  openGate = undefined;
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

/**
 * Publishes in one pipeline: a reader woken by the first entry then finds them all, where
 * one-by-one publishing races its next read and may hand over a batch of one.
 */
const publish = async (t: WorkerApp, ...numbers: number[]) => {
  const flusher = t.broker.newFlusher();
  for (const n of numbers) flusher.publish('jobs', { n });
  await flusher.flush();
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
  openGate = open;
  return open;
}

describe('stream worker loop: a lease taken from under the worker', () => {
  const leaseKey = (t: WorkerApp) => `{${t.prefix}jobs}:lease:fenced`;

  it('a refused ack: the batch is redelivered, in order, once the lease is back', async () => {
    const t = await start([FencedReader]);
    await waitFor(() => t.workers.status()[0].lease === 'held', 20_000, 'lease held');
    const open = gate();
    await publish(t, 1, 2);
    await waitFor(async () => (await pending(t, 'fenced')) === 2, 20_000, 'batch in hand');
    await t.admin.set(leaseKey(t), 'elsewhere#1', 'PX', 60_000);
    open();
    await waitFor(() => t.workers.status()[0].lease === 'standby', 20_000, 'standing by');
    expect(t.logger.count('warn', /refused by Redis \(fenced\)/)).toBe(1);
    // The ack was refused: both stay pending, under the consumer that could not ack them.
    expect(await pending(t, 'fenced')).toBe(2);

    await t.admin.del(leaseKey(t));
    await waitFor(() => seen.length === 4, 20_000, 'redelivered');
    expect(seen.map((s) => [s.n, s.deliveries])).toEqual([
      [1, 1],
      [2, 1],
      [1, 2],
      [2, 2],
    ]);
    await waitFor(async () => (await pending(t, 'fenced')) === 0, 20_000, 'acked');
  });
});

describe('stream worker loop: a long handler', () => {
  it('is not a stalled read, however long it takes past block + 10 s', async () => {
    plan.takes = 11_000;
    const t = await start([StallReader]);
    await publish(t, 1);
    await waitFor(() => seen.length === 1, 30_000, 'handled');
    await waitFor(async () => (await pending(t, 'stall')) === 0, 20_000, 'acked');
    expect(t.workers.status()[0]).toMatchObject({ connected: true, lastError: undefined });
    expect(t.logger.count('error', /Cannot read/)).toBe(0);
  }, 40_000);
});

describe('stream worker loop: failed batches', () => {
  it('backs off exponentially between failed batches and starts over after a success', async () => {
    plan.failTimes.set('backoff/1', 4);
    plan.failTimes.set('backoff/2', 1);
    const t = await start([BackingOff]);
    await publish(t, 1);
    await waitFor(() => seen.some((s) => s.n === 1 && s.ok), 30_000, '1 handled');
    await publish(t, 2);
    await waitFor(() => seen.some((s) => s.n === 2 && s.ok), 30_000, '2 handled');
    const gaps = (n: number) =>
      seen
        .filter((s) => s.n === n)
        .map((s) => s.at)
        .map((at, i, all) => (i === 0 ? 0 : at - all[i - 1]))
        .slice(1);
    // retryDelay 200 ms doubling up to 1600 ms, ±20% jitter: at least 160, 320, 640, 1280 ms
    // (plus the time a loaded machine takes to read the message again).
    const [g1, , g3, g4] = gaps(1);
    expect(g1).toBeGreaterThanOrEqual(150);
    expect(g3).toBeGreaterThanOrEqual(600);
    expect(g4).toBeGreaterThanOrEqual(1_250);
    // 2 failed once, after 1's success: the first delay again (≤ 240 ms), not the fifth (1600).
    const [again] = gaps(2);
    expect(again).toBeGreaterThanOrEqual(150);
    expect(again).toBeLessThan(1_000);
    expect(t.workers.status()[0]).toMatchObject({ processed: 2, failed: 5 });
  });
});

describe('stream worker loop: reclaiming', () => {
  it('reclaims what an idle consumer left pending and reports only that as claimed', async () => {
    const t = await start([Reclaimer], undefined, false);
    const counts = { consumed: 0, claimed: 0 };
    t.app.get(FluxInstrumentation).subscribe({
      consumed: (_s, _g, n) => (counts.consumed += n),
      claimed: (_s, _g, n) => (counts.claimed += n),
    });
    await publish(t, 1, 2, 3);
    const dead = await t.broker.consumerMany('jobs', { group: 'reclaim' });
    await dead.consume(10, 0, () => Promise.reject(new Error('crashed'))).catch(() => undefined);
    await dead.close(); // holds 1, 2 and 3
    await t.app.init();
    await waitFor(() => seen.length === 3, 20_000, 'reclaimed');
    expect(seen.every((s) => s.deliveries === 2)).toBe(true);
    await publish(t, 4, 5);
    await waitFor(() => seen.length === 5, 20_000, 'new ones read');
    await waitFor(async () => (await pending(t, 'reclaim')) === 0, 20_000, 'acked');
    expect(counts).toEqual({ consumed: 5, claimed: 3 });
    expect(seen.slice(3).map((s) => [s.n, s.deliveries])).toEqual([
      [4, 1],
      [5, 1],
    ]);
  });
});

describe('stream worker loop: shutdown', () => {
  it('waits past the grace period for a handler whose consumer was dropped (lease lost)', async () => {
    plan.takes = 8_000;
    const t = await start([ShortLease]);
    await waitFor(() => t.workers.status()[0].lease === 'held', 20_000, 'lease held');
    await publish(t, 1);
    await waitFor(async () => (await pending(t, 'short-lease')) === 1, 20_000, 'in hand');
    // The renewal finds the lease taken and drops the consumer while the handler still runs.
    await t.admin.set(`{${t.prefix}jobs}:lease:short-lease`, 'elsewhere#1', 'PX', 60_000);
    await waitFor(() => t.workers.status()[0].lease === 'standby', 20_000, 'lease lost');
    expect(seen).toEqual([]);
    await t.app.close();
    // close() returned only once the handler was done, though that took longer than 5 s.
    expect(seen.map((s) => s.n)).toEqual([1]);
  });

  it('gives up after the grace period on a loop stuck opening its consumer', async () => {
    const redis = new URL(REDIS_URL);
    const proxy = await HalfOpenProxy.start(redis.hostname, Number(redis.port || 6379));
    proxies.push(proxy);
    proxy.blackHole(); // Redis unreachable: opening the consumer never returns, nor fails
    const t = await start([StuckOpening], `redis://127.0.0.1:${proxy.port}`);
    const startedAt = Date.now();
    await t.app.close();
    const took = Date.now() - startedAt;
    expect(took).toBeGreaterThanOrEqual(4_500); // the shutdown grace period, 5 s
    expect(took).toBeLessThan(15_000);
    expect(statusOf(t, 'StuckOpening')).toMatchObject({ running: false, consumerName: undefined });
    await proxy.thaw(); // lets the test's cleanup reach Redis
  }, 30_000);

  it('does not wait out a blocked read or a backoff', async () => {
    plan.failTimes.set('long-backoff/1', Infinity);
    const { hostname: host, port } = new URL(REDIS_URL);
    const name = `flux-long-block-${randomBytes(4).toString('hex')}`;
    const redis = { host, port: Number(port || 6379), connectionName: name };
    const t = await start([LongBlock, LongBackoff], redis);
    await publish(t, 1);
    // LongBlock handled 1 and blocks 30 s on its next read; LongBackoff failed and sleeps 10 s.
    await waitFor(() => seen.length === 2, 20_000, 'both tried 1');
    await waitFor(() => statusOf(t, 'LongBackoff').failed === 1, 20_000, 'failure counted');
    await waitFor(() => blockedRead(t, name), 20_000, 'LongBlock blocked in a read');
    const startedAt = Date.now();
    await t.app.close();
    expect(Date.now() - startedAt).toBeLessThan(4_000);
    expect(await pending(t, 'long-block')).toBe(0);
    expect(await pending(t, 'long-backoff')).toBe(1); // the failed one stays for the next start
  });

  it('a batch that fails while stopping stays pending; no backoff is waited out', async () => {
    plan.failTimes.set('long-backoff/1', Infinity);
    const t = await start([LongBackoff]);
    const open = gate();
    await publish(t, 1);
    await waitFor(async () => (await pending(t, 'long-backoff')) === 1, 20_000, 'in hand');
    const startedAt = Date.now();
    const closed = t.app.close();
    await waitFor(() => !statusOf(t, 'LongBackoff').running, 20_000, 'stopping');
    open(); // the handler fails after the stop began
    await closed;
    expect(seen.map((s) => [s.n, s.ok])).toEqual([[1, false]]);
    expect(Date.now() - startedAt).toBeLessThan(4_000);
    expect(await pending(t, 'long-backoff')).toBe(1);
  });
});

describe('stream worker loop: status', () => {
  it('reports every field of a running worker, in both modes', async () => {
    plan.failTimes.set('status-many/1', 1);
    plan.failTimes.set('status-single/1', 1);
    const t = await start([StatusMany, StatusSingle], undefined, false);
    let claimed = 0;
    t.app.get(FluxInstrumentation).subscribe({ claimed: (_s, _g, n) => (claimed += n) });
    await t.app.init();
    const before = Date.now();
    await publish(t, 1);
    await waitFor(() => t.workers.status().every((s) => s.processed === 1), 20_000, 'handled');
    // Single mode re-reads its own pending messages; the lease holder reclaims nothing.
    expect(claimed).toBe(0);
    const many = statusOf(t, 'StatusMany');
    const single = statusOf(t, 'StatusSingle');
    expect(many).toEqual({
      consumer: 'StatusMany',
      stream: 'jobs',
      group: 'status-many',
      mode: 'many',
      partition: undefined,
      lease: undefined,
      consumerName: expect.stringMatching(/^consumer-/),
      running: true,
      connected: true,
      lastReadAt: expect.any(Date),
      processed: 1,
      failed: 1,
      deadLettered: 0,
      lastError: undefined,
    });
    expect(single).toEqual({
      ...many,
      consumer: 'StatusSingle',
      group: 'status-single',
      mode: 'single',
      lease: 'held',
      consumerName: expect.stringMatching(/^single-.+-\d+-[0-9a-f]{8}$/),
      lastReadAt: expect.any(Date),
    });
    expect(many.lastReadAt!.getTime()).toBeGreaterThanOrEqual(before);
    await t.app.close();
    expect(t.workers.status().map((s) => s.running)).toEqual([false, false]);
    // The lease was given back: a stand-by would take over now, not after leaseTtl.
    expect(await t.admin.exists(`{${t.prefix}jobs}:lease:status-single`)).toBe(0);
  });
});
