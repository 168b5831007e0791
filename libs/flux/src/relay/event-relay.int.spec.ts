import 'reflect-metadata';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestBroker, waitFor, type TestBroker } from '../broker/broker.spec-helpers.js';
import { MessageCodec } from '../broker/codec/message-codec.js';
import { RedisPools, type PoolClient } from '../broker/pools/redis-pools.js';
import type { ReadAllOptions, StoredEvent } from '../event-store/event-store.types.js';
import { MemoryEventStore } from '../event-store/memory/memory-event-store.js';
import { FluxInstrumentation } from '../observability/flux-instrumentation.js';
import { NOOP_FLUX_TRACER, type FluxTracer } from '../observability/tracing/flux-tracer.js';
import { EventRelay, type EventRelayConfig } from './event-relay.js';
import { relayKeys } from './relay-keys.js';
import { freePort } from '../../../../test/support/free-port.js';
import { startRedisServer, stopRedisServer } from '../../../../test/support/redis-server.js';

/**
 * The relay loop against the real Redis (the memory store: the store does not matter here):
 * batching, waking, leadership hand-over, and the failures of its own writes — nothing lost,
 * nothing published twice beyond at-least-once.
 */
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Long enough that a test finishing in time proves the relay did not sleep through it. */
const NEVER = 60_000;

/** A memory store that runs `duringRead` once, inside the next read of the global log. */
class HookedStore extends MemoryEventStore {
  duringRead?: () => Promise<unknown>;
  reads = 0;
  override async readAll(options?: ReadAllOptions): Promise<StoredEvent[]> {
    this.reads++;
    const events = await super.readAll(options);
    const hook = this.duringRead;
    this.duringRead = undefined;
    await hook?.();
    return events;
  }
}

function recorder() {
  const lines: string[] = [];
  return {
    lines,
    logger: {
      log: (m: string) => lines.push(`log ${m}`),
      warn: (m: string) => lines.push(`warn ${m}`),
      error: (m: string) => lines.push(`error ${m}`),
    },
  };
}

function relayOn(
  store: MemoryEventStore,
  test: TestBroker,
  options: Partial<EventRelayConfig> & { redis?: PoolClient } = {},
): EventRelay {
  const relay = new EventRelay({
    store,
    registry: test.registry,
    codec: new MessageCodec(),
    redis: test.admin,
    name: 'account',
    keyPrefix: test.prefix,
    lockTtl: NEVER,
    streams: new Map([['account', 'accounts']]),
    batchSize: 50,
    pollInterval: NEVER,
    ...options,
  });
  cleanups.push(() => relay.stop(1_000));
  return relay;
}

async function credit(store: MemoryEventStore, from: number, to: number): Promise<void> {
  for (let n = from; n <= to; n++)
    await store.append('a1', [{ type: 'Credited', data: { n } }], {
      expectedVersion: n - 1,
      aggregateName: 'account',
    });
}

async function versions(redis: Redis, key: string): Promise<number[]> {
  const entries = await redis.xrange(key, '-', '+');
  return entries.map(([, fields]) => Number(fields[fields.indexOf('version') + 1]));
}

const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('EventRelay rounds', () => {
  it('publishes a backlog batch after batch without waiting for the poll interval', async () => {
    const store = new MemoryEventStore();
    const test = createTestBroker(['accounts']);
    cleanups.push(() => test.close());
    await credit(store, 1, 6);
    await store.append('c1', [{ type: 'Other', data: {} }], {
      expectedVersion: 0,
      aggregateName: 'customer',
    });
    await credit(store, 7, 11);
    const relay = relayOn(store, test, { batchSize: 5 });
    const started = Date.now();
    relay.start();
    relay.start(); // already running: one loop
    await waitFor(() => relay.status.checkpoint === 12, 20_000);
    expect(await versions(test.admin, test.key('accounts'))).toEqual(upTo(11));
    // One checkpoint per batch of 5 read from the log (the customer event is passed over).
    const keys = relayKeys(test.prefix, await store.storeId(), 'account');
    const history = await test.admin.lrange(keys.history, 0, -1);
    expect(history.map((entry) => Number(entry.split(':')[0]))).toEqual([12, 10, 5]);
    const [twelfth] = await store.readAll({ after: 11 });
    expect(relay.status).toMatchObject({
      leader: true,
      storeId: await store.storeId(),
      checkpoint: 12,
      checkpointEventId: twelfth.eventId,
      published: 11,
      lastError: null,
    });
    expect(relay.status.lastRoundAt).toBeGreaterThanOrEqual(started);
    // On a single Redis the relay keeps its lock, checkpoint and history, nothing per stream.
    const written = [
      ...(await test.admin.keys(`${test.prefix}*`)),
      ...(await test.admin.keys(`{${test.prefix}*`)),
    ];
    expect(written.sort()).toEqual(
      [test.key('accounts'), keys.lock, keys.checkpoint, keys.history].sort(),
    );

    // A reset on purpose is taken at once, without waiting for the poll interval.
    await relay.resetCheckpoint(6);
    await waitFor(
      async () => (await versions(test.admin, test.key('accounts'))).length === 16,
      10_000,
    );
    expect((await versions(test.admin, test.key('accounts'))).slice(11)).toEqual([7, 8, 9, 10, 11]);
    // An idle relay stops at once, not after its poll interval or its grace period.
    const stopping = Date.now();
    await relay.stop(NEVER);
    expect(Date.now() - stopping).toBeLessThan(10_000);
  });

  it('wakes on an append, also one that lands while a round reads the log', async () => {
    const store = new HookedStore();
    const test = createTestBroker(['accounts']);
    cleanups.push(() => test.close());
    const relay = relayOn(store, test);
    relay.start();
    await waitFor(() => relay.status.checkpoint === 0, 20_000); // first round done, idle
    await credit(store, 1, 1);
    await waitFor(async () => (await versions(test.admin, test.key('accounts'))).length === 1);
    // The next append lands during the read of the round it woke: the relay must not sleep.
    store.duringRead = () => credit(store, 3, 3);
    await credit(store, 2, 2);
    await waitFor(() => relay.status.checkpoint === 3, 10_000);
    expect(await versions(test.admin, test.key('accounts'))).toEqual([1, 2, 3]);
    // Once caught up it sleeps: no round while nothing is appended (waiting is the point here).
    const reads = store.reads;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(store.reads).toBe(reads);
  });

  it('hands leadership over at once when stopped, releasing the lock', async () => {
    const store = new MemoryEventStore();
    const test = createTestBroker(['accounts']);
    cleanups.push(() => test.close());
    const a = relayOn(store, test, { pollInterval: 20 });
    const b = relayOn(store, test, { pollInterval: 20 });
    a.start();
    await waitFor(() => a.status.leader, 10_000);
    b.start();
    await credit(store, 1, 3);
    await waitFor(() => a.status.checkpoint === 3, 10_000);
    expect(b.status).toMatchObject({ leader: false, checkpoint: null });
    await a.stop();
    expect(a.status.leader).toBe(false);
    const keys = relayKeys(test.prefix, await store.storeId(), 'account');
    // The lock's TTL is a minute: b leads well before it because a released the lock.
    await waitFor(() => b.status.leader, 10_000);
    await credit(store, 4, 5);
    await waitFor(() => b.status.checkpoint === 5, 10_000);
    expect(await test.admin.get(keys.lock)).not.toBeNull();
    expect(await versions(test.admin, test.key('accounts'))).toEqual(upTo(5));
  });

  it('stops within the grace period when its round is stuck on an unreachable Redis', async () => {
    const port = await freePort();
    const server = await startRedisServer(port);
    const store = new MemoryEventStore();
    const test = createTestBroker(['accounts']);
    cleanups.push(() => test.close());
    const redis = new Redis({ port, retryStrategy: () => 100 });
    redis.on('error', () => undefined);
    cleanups.push(async () => {
      redis.disconnect();
      await stopRedisServer(server);
    });
    const relay = relayOn(store, test, { redis });
    relay.start();
    await credit(store, 1, 1);
    await waitFor(() => relay.status.checkpoint === 1, 10_000);
    await stopRedisServer(server);
    await credit(store, 2, 2); // the round's publish waits for a server that does not return
    const started = Date.now();
    await relay.stop(300);
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(relay.status.leader).toBe(false);
  });
});

describe('EventRelay when a write fails', () => {
  it('republishes a batch whose publish timed out and never ran: nothing lost, nothing twice', async () => {
    const port = await freePort();
    const server = await startRedisServer(port);
    const store = new MemoryEventStore();
    const test = createTestBroker(['accounts']);
    cleanups.push(() => test.close());
    const redis = new Redis({ port, commandTimeout: 1_000 });
    const admin = new Redis({ port });
    redis.on('error', () => undefined);
    cleanups.push(async () => {
      redis.disconnect();
      admin.disconnect();
      await stopRedisServer(server);
    });
    const { lines, logger } = recorder();
    const relay = relayOn(store, test, { redis, pollInterval: 20, logger });
    relay.start();
    await credit(store, 1, 3);
    await waitFor(() => relay.status.checkpoint === 3, 10_000);

    // Writes stall (a busy server): the relay's publish times out on its side...
    const relayClient = await redis.client('ID');
    await admin.client('PAUSE', 10_000, 'WRITE');
    await credit(store, 4, 6);
    await waitFor(() => /timed out/.test(relay.status.lastError ?? ''), 10_000);
    // ...and its connection dies with the script still queued: the publish never runs.
    await admin.client('KILL', 'ID', String(relayClient));
    await admin.client('UNPAUSE');

    await waitFor(() => relay.status.checkpoint === 6 && relay.status.lastError === null, 20_000);
    expect(await versions(admin, test.key('accounts'))).toEqual(upTo(6));
    const keys = relayKeys(test.prefix, await store.storeId(), 'account');
    expect(await admin.hget(keys.checkpoint, 'position')).toBe('6');
    // Warned once for the outage however many attempts failed, and once when it resumed.
    expect(lines.filter((l) => l.startsWith('warn relay paused:'))).toEqual([
      'warn relay paused: Command timed out; retrying',
    ]);
    expect(lines.filter((l) => l.startsWith('log '))).toEqual([
      expect.stringMatching(/^log relay resumed after [1-9]\d* failed attempt\(s\)$/),
    ]);
  });

  it('publishes nothing while another instance holds the lock, then resumes from the checkpoint', async () => {
    const store = new MemoryEventStore();
    const test = createTestBroker(['accounts']);
    cleanups.push(() => test.close());
    const { lines, logger } = recorder();
    const relay = relayOn(store, test, { pollInterval: 20, logger });
    relay.start();
    await credit(store, 1, 2);
    await waitFor(() => relay.status.checkpoint === 2, 10_000);
    const keys = relayKeys(test.prefix, await store.storeId(), 'account');
    // The lock expired and another instance took it; this one renews only later (TTL a minute).
    await test.admin.set(keys.lock, 'other-instance', 'PX', NEVER);
    await credit(store, 3, 4);
    await waitFor(
      () => lines.includes('warn relay lock lost; resuming from the checkpoint stored in Redis'),
      10_000,
    );
    expect(relay.status).toMatchObject({ leader: false, checkpoint: null });
    expect(await versions(test.admin, test.key('accounts'))).toEqual([1, 2]);
    expect(await test.admin.get(keys.lock)).toBe('other-instance');

    await test.admin.del(keys.lock); // the other instance stopped
    await waitFor(() => relay.status.checkpoint === 4, 10_000);
    expect(relay.status.leader).toBe(true);
    expect(await versions(test.admin, test.key('accounts'))).toEqual(upTo(4));
  });

  it('reads the checkpoint again when another leader moved it, publishing from there', async () => {
    const store = new MemoryEventStore();
    const test = createTestBroker(['accounts']);
    cleanups.push(() => test.close());
    const { lines, logger } = recorder();
    const relay = relayOn(store, test, { pollInterval: 20, logger });
    relay.start();
    await credit(store, 1, 2);
    await waitFor(() => relay.status.checkpoint === 2, 10_000);
    await credit(store, 3, 4);
    await waitFor(() => relay.status.checkpoint === 4, 10_000);
    const keys = relayKeys(test.prefix, await store.storeId(), 'account');
    // Another leader published up to 3 and moved the checkpoint back there (as a reset would).
    const [third] = await store.readAll({ after: 2, limit: 1 });
    await test.admin.hset(keys.checkpoint, 'position', '3', 'event_id', third.eventId);
    await credit(store, 5, 5);
    await waitFor(
      () =>
        lines.includes(
          'warn relay checkpoint changed; resuming from the checkpoint stored in Redis',
        ),
      10_000,
    );
    await waitFor(() => relay.status.checkpoint === 5, 10_000);
    expect(await versions(test.admin, test.key('accounts'))).toEqual([1, 2, 3, 4, 4, 5]);
    // A reset through the relay itself is not a surprise: it reads the new checkpoint, no warning.
    lines.length = 0;
    await relay.resetCheckpoint(3);
    await waitFor(
      async () => (await versions(test.admin, test.key('accounts'))).length === 8,
      10_000,
    );
    expect(lines).toEqual([]);
  });

  it('reports a checkpoint the store does not hold as an error, and resumes once it is reset', async () => {
    const store = new MemoryEventStore();
    const test = createTestBroker(['accounts']);
    cleanups.push(() => test.close());
    const { lines, logger } = recorder();
    const relay = relayOn(store, test, { pollInterval: 20, logger });
    const keys = relayKeys(test.prefix, await store.storeId(), 'account');
    await test.admin.hset(keys.checkpoint, 'position', '1', 'event_id', randomUUID());
    await credit(store, 1, 2);
    relay.start();
    await waitFor(() => relay.status.lastError !== null, 10_000);
    expect(lines.filter((l) => l.startsWith('error '))).toEqual([
      expect.stringMatching(/^error relay paused: .*at position 1.*; retrying$/),
    ]);
    expect(relay.status).toMatchObject({ leader: true, checkpoint: null });
    await relay.resetCheckpoint(1);
    await waitFor(() => relay.status.checkpoint === 2 && relay.status.lastError === null, 20_000);
    expect(await versions(test.admin, test.key('accounts'))).toEqual([2]);
    await relay.resetCheckpoint(0);
    await waitFor(async () => (await versions(test.admin, test.key('accounts'))).length === 3);
    expect(await versions(test.admin, test.key('accounts'))).toEqual([2, 1, 2]);
  });

  it('warns when it has no error log, and keeps warning only once per outage', async () => {
    const store = new MemoryEventStore();
    const test = createTestBroker(['accounts']);
    cleanups.push(() => test.close());
    const lines: string[] = [];
    const logger = {
      log: (m: string) => lines.push(`log ${m}`),
      warn: (m: string) => lines.push(`warn ${m}`),
    };
    const relay = relayOn(store, test, { pollInterval: 20, logger });
    const keys = relayKeys(test.prefix, await store.storeId(), 'account');
    await test.admin.hset(keys.checkpoint, 'position', '1', 'event_id', randomUUID());
    await credit(store, 1, 1);
    relay.start();
    await waitFor(() => relay.status.lastError !== null, 10_000);
    expect(lines).toEqual([expect.stringMatching(/^warn relay paused: .*at position 1/)]);
    await relay.resetCheckpoint(0);
    await waitFor(() => relay.status.checkpoint === 1 && relay.status.lastError === null, 20_000);
    // A second outage (a stream Redis refuses to write) is reported again.
    await test.admin.rename(test.key('accounts'), `${test.key('accounts')}:saved`);
    await test.admin.set(test.key('accounts'), 'not a stream');
    await credit(store, 2, 2);
    await waitFor(
      () => lines.filter((l) => l.startsWith('warn relay paused')).length === 2,
      20_000,
    );
  });

  it('backs off between failed attempts, doubling the wait from 200 ms', async () => {
    const store = new MemoryEventStore();
    const test = createTestBroker(['accounts']);
    cleanups.push(() => test.close());
    const failedAt: number[] = [];
    const instrumentation = new FluxInstrumentation();
    instrumentation.tracer = {
      ...NOOP_FLUX_TRACER,
      enabled: true,
      startPublish: () => ({ end: (_id, error) => error && failedAt.push(Date.now()) }),
    };
    const relay = relayOn(store, test, { pollInterval: 20, instrumentation });
    await test.admin.set(test.key('accounts'), 'not a stream');
    await credit(store, 1, 1);
    relay.start();
    await waitFor(() => failedAt.length >= 4, 20_000);
    await relay.stop();
    const gaps = failedAt.slice(1, 4).map((at, i) => at - failedAt[i]);
    // 200, 400, 800 ms: not a busy retry, not the 5 s ceiling, and growing.
    expect(gaps[0]).toBeGreaterThanOrEqual(180);
    expect(gaps[0]).toBeLessThan(3_000);
    expect(gaps[2]).toBeGreaterThanOrEqual(700);
    expect(gaps[2]).toBeLessThan(4_500);
  });
});

describe('EventRelay spans, metrics and trimming', () => {
  function tracing() {
    const ended: Array<{ stream: string; id?: string; error?: string }> = [];
    const tracer: FluxTracer = {
      ...NOOP_FLUX_TRACER,
      enabled: true,
      startPublish: (stream) => ({
        end: (id, error) =>
          ended.push({ stream, id, error: (error as Error | undefined)?.message }),
      }),
    };
    const instrumentation = new FluxInstrumentation();
    instrumentation.tracer = tracer;
    return { ended, instrumentation };
  }

  it('ends one producer span per relayed event with its message id, or with the failure', async () => {
    const store = new MemoryEventStore();
    const test = createTestBroker(['accounts']);
    cleanups.push(() => test.close());
    const { ended, instrumentation } = tracing();
    const relay = relayOn(store, test, { pollInterval: 20, instrumentation });
    await credit(store, 1, 2);
    await store.append('c1', [{ type: 'Other', data: {} }], {
      expectedVersion: 0,
      aggregateName: 'customer',
    });
    relay.start();
    await waitFor(() => relay.status.checkpoint === 3, 10_000);
    const ids = (await test.admin.xrange(test.key('accounts'), '-', '+')).map(([id]) => id);
    expect(ended).toEqual([
      { stream: 'accounts', id: ids[0], error: undefined },
      { stream: 'accounts', id: ids[1], error: undefined },
    ]);

    // A publish Redis refuses: the spans end with its error.
    ended.length = 0;
    await test.admin.rename(test.key('accounts'), `${test.key('accounts')}:saved`);
    await test.admin.set(test.key('accounts'), 'not a stream');
    await credit(store, 3, 3);
    await waitFor(() => ended.length > 0, 10_000);
    expect(ended[0]).toMatchObject({ stream: 'accounts', id: undefined });
    expect(ended[0].error).toMatch(/WRONGTYPE/);

    // A publish refused for a lost lock: the spans end as not published.
    await relay.stop();
    await test.admin.del(test.key('accounts'));
    await test.admin.rename(`${test.key('accounts')}:saved`, test.key('accounts'));
    const keys = relayKeys(test.prefix, await store.storeId(), 'account');
    const next = relayOn(store, test, { pollInterval: 20, instrumentation });
    next.start();
    await waitFor(() => next.status.checkpoint === 4, 10_000);
    ended.length = 0;
    await test.admin.set(keys.lock, 'other-instance', 'PX', NEVER);
    await credit(store, 4, 4);
    await waitFor(() => ended.length > 0, 10_000);
    expect(ended).toEqual([
      { stream: 'accounts', id: undefined, error: 'relay lock lost: batch not published' },
    ]);
  });

  it('counts relayed messages as published and trims a capped stream after its batch', async () => {
    const store = new MemoryEventStore();
    const test = createTestBroker([{ name: 'accounts', maxLen: 10 }]);
    const pools = new RedisPools({ default: test.admin.options });
    cleanups.push(() => test.close());
    cleanups.push(() => pools.close());
    const instrumentation = new FluxInstrumentation();
    const published: Array<[string, number]> = [];
    instrumentation.subscribe({ published: (stream, n) => published.push([stream, n]) });
    const relay = relayOn(store, test, {
      redis: pools.get('default'),
      instrumentation,
      batchSize: 300,
    });
    await credit(store, 1, 300);
    relay.start();
    await waitFor(() => relay.status.checkpoint === 300, 20_000);
    expect(published).toEqual([['accounts', 300]]);
    const left = await versions(test.admin, test.key('accounts'));
    expect(left.length).toBeLessThan(300); // approximate trim: whole radix nodes go
    expect(left.at(-1)).toBe(300);
  });
});
