import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ensureBuiltLibrary } from './support/built-library.js';
import { REDIS_URL } from './support/env.js';
import { createBroker, type TestBroker } from './support/redis-keys.js';
import {
  firstSkip,
  handledEntries,
  holderPid,
  Replica,
  type ReplicaSetup,
} from './support/replicas.js';
import { report } from './support/tally.js';
import { waitUntil } from './support/wait.js';

/**
 * Faults 9 and 10: replicas of one read service, each a real process on the built library with
 * a `@StreamConsumer` in single mode on one group. Exactly one reads at a time (a lease in
 * Redis); the others stand by. Failover times are printed, never asserted.
 */
const admin = new Redis(REDIS_URL);
let tb: TestBroker | undefined;
let replicas: Replica[] = [];

afterEach(async () => {
  for (const replica of replicas) if (replica.alive) replica.child.kill('SIGKILL');
  for (const replica of replicas) {
    if (replica.child.signalCode === 'SIGSTOP') replica.child.kill('SIGCONT');
  }
  replicas = [];
  await tb?.close();
  tb = undefined;
});
afterAll(() => admin.disconnect());

function setUp(label: string, extra: Partial<ReplicaSetup> = {}): ReplicaSetup {
  tb = createBroker(label, ['orders']);
  return {
    redisUrl: REDIS_URL,
    prefix: tb.prefix,
    stream: 'orders',
    group: 'ledger',
    ...extra,
  } as ReplicaSetup;
}

async function startReplicas(setup: ReplicaSetup, n: number): Promise<void> {
  replicas = Array.from({ length: n }, () => Replica.start(setup));
  await waitUntil(
    `${n} replicas to bootstrap`,
    () => replicas.every((r) => r.out.includes('ready')),
    30_000,
    () => replicas.map((r) => r.err.slice(0, 300)).join(' | '),
  );
  await waitUntil(
    'a replica to hold the lease',
    async () => (await holderPid(admin, setup)) !== null,
    20_000,
  );
}

const byPid = (pid: number) => replicas.find((r) => r.pid === pid)!;

/** Waits for the first message handled by a replica other than `pid`; returns ms since `from`. */
async function takeoverAfter(setup: ReplicaSetup, pid: number, seenBefore: number, from: number) {
  await waitUntil(
    `another replica to handle messages after ${pid} went away`,
    async () => (await handledEntries(admin, setup)).slice(seenBefore).some((e) => e.pid !== pid),
    30_000,
  );
  return Date.now() - from;
}

describe('faults 9–10: single mode across replica processes', () => {
  it('3 replicas under a producer: the holder SIGKILLed, then the next closed gracefully; every message in order, 0 lost', async () => {
    ensureBuiltLibrary();
    const SENT = 600;
    const setup = setUp('replicas', { leaseTtl: 2_000, delayMs: 2 });
    await startReplicas(setup, 3);
    const holders = new Set([await holderPid(admin, setup)]);

    // The producer: 10 messages every 20 ms, through both failovers.
    const producing = (async () => {
      for (let n = 0; n < SENT; n += 10) {
        const flusher = tb!.broker.newFlusher();
        for (let i = n; i < n + 10; i++) flusher.publish('orders', { n: i });
        await flusher.flush();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    await waitUntil(
      '150 handled',
      async () => (await admin.llen(`${setup.prefix}handled`)) >= 150,
      30_000,
    );
    const killed = (await holderPid(admin, setup))!;
    const killedAt = Date.now();
    await byPid(killed).stop('SIGKILL');
    const seenAtKill = await admin.llen(`${setup.prefix}handled`);
    const killFailoverMs = await takeoverAfter(setup, killed, seenAtKill, killedAt);

    await waitUntil(
      '350 handled',
      async () => (await admin.llen(`${setup.prefix}handled`)) >= 350,
      30_000,
    );
    const closed = (await holderPid(admin, setup))!;
    holders.add(closed);
    const closedAt = Date.now();
    await byPid(closed).stop('SIGTERM');
    const seenAtClose = await admin.llen(`${setup.prefix}handled`);
    const closeFailoverMs = await takeoverAfter(setup, closed, seenAtClose, closedAt);

    await producing;
    await waitUntil(
      'every message handled',
      async () => new Set((await handledEntries(admin, setup)).map((e) => e.n)).size >= SENT,
      30_000,
    );
    const last = (await holderPid(admin, setup))!;
    holders.add(last);
    await byPid(last).stop('SIGTERM');

    const entries = await handledEntries(admin, setup);
    const ns = entries.map((e) => e.n);
    const distinct = new Set(ns);
    const stats = await tb!.broker.getStreamStatistics('orders');
    const figures = report('9 replicas: holder SIGKILLed, then the next closed', {
      sent: SENT,
      processed: distinct.size,
      lost: SENT - distinct.size,
      duplicates: ns.length - distinct.size,
      holders: holders.size,
      killFailoverMs,
      closeFailoverMs,
      leaseTtl: setup.leaseTtl,
      pendingAtEnd: stats?.group?.pending ?? -1,
    });
    expect(figures).toMatchObject({ sent: SENT, processed: SENT, lost: 0, pendingAtEnd: 0 });
    expect(firstSkip(ns)).toBe(-1);
    expect(holders.size).toBe(3);
    // A graceful close hands over after its last ack: nothing after it is handled twice.
    const afterClose = entries.slice(seenAtClose);
    expect(new Set(afterClose.map((e) => e.n)).size).toBe(afterClose.length);
    // The killed and the closed replica left no consumer holding messages.
    expect(stats?.group?.consumers.every((c) => c.pending === 0)).toBe(true);
  });

  it('a paused holder (SIGSTOP) loses the lease; resumed, its acks are refused and its batch is handled again by the successor', async () => {
    ensureBuiltLibrary();
    const SENT = 60;
    const setup = setUp('fencing', { leaseTtl: 1_500, delayMs: 100, count: 5 });
    await startReplicas(setup, 2);
    const flusher = tb!.broker.newFlusher();
    for (let n = 0; n < SENT; n++) flusher.publish('orders', { n });
    await flusher.flush();

    const paused = byPid((await holderPid(admin, setup))!);
    await waitUntil('the holder to be inside a batch', () => /batch \d+/.test(paused.out), 20_000);
    paused.child.kill('SIGSTOP');
    const pausedAt = Date.now();
    const seenAtPause = await admin.llen(`${setup.prefix}handled`);
    const failoverMs = await takeoverAfter(setup, paused.pid, seenAtPause, pausedAt);
    paused.child.kill('SIGCONT');
    await waitUntil(
      'the resumed holder to be refused',
      () => /acking \d+ message\(s\) was refused/.test(paused.out),
      20_000,
      () => paused.out.slice(-500),
    );
    await waitUntil(
      'every message handled',
      async () => new Set((await handledEntries(admin, setup)).map((e) => e.n)).size >= SENT,
      30_000,
    );
    const successor = replicas.find((r) => r !== paused)!;
    await successor.stop('SIGTERM');
    await paused.stop('SIGTERM');

    const entries = await handledEntries(admin, setup);
    const stale = entries.slice(seenAtPause).filter((e) => e.pid === paused.pid);
    const redoneBySuccessor = stale.filter((s) =>
      entries.some((e) => e.n === s.n && e.pid === successor.pid),
    );
    const stats = await tb!.broker.getStreamStatistics('orders');
    const figures = report('10 paused holder fenced', {
      sent: SENT,
      processed: new Set(entries.map((e) => e.n)).size,
      lost: SENT - new Set(entries.map((e) => e.n)).size,
      duplicates: entries.length - new Set(entries.map((e) => e.n)).size,
      handledByStaleAfterPause: stale.length,
      failoverMs,
      pendingAtEnd: stats?.group?.pending ?? -1,
    });
    expect(figures).toMatchObject({ lost: 0, pendingAtEnd: 0 });
    expect(firstSkip(entries.map((e) => e.n))).toBe(-1);
    // What the stale holder finished after its pause was not acked by it: the successor did it.
    expect(redoneBySuccessor).toEqual(stale);
  });
});
