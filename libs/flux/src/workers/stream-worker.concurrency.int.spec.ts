import 'reflect-metadata';
import type { Type } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../broker/consume/stream-event.js';
import type { StreamRegistration } from '../broker/registry/stream-registration.js';
import { DomainEvent } from '../event-sourcing/domain-event.decorator.js';
import { EventHandler } from '../event-sourcing/event-handler.decorator.js';
import { StreamConsumer } from './stream-consumer.decorator.js';
import { createWorkerApp, waitFor, type WorkerApp } from './workers.spec-helpers.js';

/**
 * `concurrency`: in single mode, different keys of a batch are handled side by side while each
 * key's messages stay in stream order and are never handled at once; a failure holds back only
 * its own key. In many mode, any messages at once.
 */
@DomainEvent('KeyedNumber')
class KeyedNumber {
  constructor(
    readonly key: string,
    readonly n: number,
  ) {}
}

/** What the handlers saw: order per key, overlap between keys, overlap within a key. */
const seen = {
  order: new Map<string, number[]>(),
  attempts: new Map<string, number>(),
  inFlight: new Set<string>(),
  running: 0,
  maxRunning: 0,
  sameKeyOverlaps: 0,
  failOnce: new Set<string>(),
  rawCalls: [] as string[][],
  /** Ids in the order their handling succeeded. */
  done: [] as string[],
};

async function handleKeyed(key: string, n: number, byKey = true): Promise<void> {
  const id = `${key}#${n}`;
  seen.attempts.set(id, (seen.attempts.get(id) ?? 0) + 1);
  if (byKey && seen.inFlight.has(key)) seen.sameKeyOverlaps++;
  seen.inFlight.add(key);
  seen.maxRunning = Math.max(seen.maxRunning, ++seen.running);
  try {
    await sleep(2 + (n % 3)); // keys finish out of step with one another
    if (seen.failOnce.delete(id)) throw new Error(`refusing ${id} once`);
    seen.order.set(key, [...(seen.order.get(key) ?? []), n]);
    seen.done.push(id);
  } finally {
    seen.running--;
    seen.inFlight.delete(key);
  }
}

const fast = { block: 200, retryDelay: 20, maxRetryDelay: 50, count: 100 };

@StreamConsumer('keyed', { group: 'by-key', concurrency: 4, ...fast })
class ByKey {
  @EventHandler(KeyedNumber) on(event: KeyedNumber) {
    return handleKeyed(event.key, event.n);
  }
}

@StreamConsumer('keyed', { group: 'raw-by-key', concurrency: 3, ...fast })
class RawByKey {
  async handle(events: StreamEvent[]) {
    const keys = events.map((e) => e.tags.aggregate_id);
    seen.rawCalls.push(keys);
    for (const event of events) {
      const { key, n } = event.unserialize<{ key: string; n: number }>();
      await handleKeyed(key, n);
    }
  }
}

@StreamConsumer('keyed', { group: 'any', mode: 'many', concurrency: 8, ...fast })
class AnyOrder {
  @EventHandler(KeyedNumber) on(event: KeyedNumber) {
    return handleKeyed(event.key, event.n, false);
  }
}

@StreamConsumer('by-customer', { group: 'by-customer', concurrency: 4, ...fast })
class ByCustomer {
  @EventHandler(KeyedNumber) on(event: KeyedNumber) {
    return handleKeyed(event.key, event.n);
  }
}

const apps: WorkerApp[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  seen.order.clear();
  seen.attempts.clear();
  seen.inFlight.clear();
  seen.running = seen.maxRunning = seen.sameKeyOverlaps = 0;
  seen.failOnce.clear();
  seen.rawCalls = [];
  seen.done = [];
});

/** An app whose workers start once `publish` has written to the stream: one whole batch. */
async function start(
  consumer: Type,
  streams: Array<string | StreamRegistration> = ['keyed'],
  publish: (t: WorkerApp) => Promise<void> = publishKeyed,
) {
  const app = await createWorkerApp({ streams, providers: [consumer], init: false });
  apps.push(app);
  await publish(app);
  await app.app.init();
  return app;
}

const KEYS = ['a', 'b', 'c', 'd', 'e', 'f'];
const PER_KEY = 8;

/** PER_KEY numbers for each key, interleaved as they would arrive from many aggregates. */
async function publishKeyed(t: WorkerApp, stream = 'keyed', keyTag = 'aggregate_id') {
  const flusher = t.broker.newFlusher();
  for (let n = 0; n < PER_KEY; n++) {
    for (const key of KEYS) {
      flusher.publish(stream, { key, n }, { type: 'KeyedNumber', [keyTag]: key });
    }
  }
  await flusher.flush();
}

const total = () => [...seen.order.values()].reduce((sum, list) => sum + list.length, 0);
const inOrder = Array.from({ length: PER_KEY }, (_, n) => n);

const pending = async (t: WorkerApp, stream: string, group: string) =>
  ((await t.admin.xpending(t.key(stream), group)) as [number])[0];

describe('stream workers: concurrency', () => {
  it("mode 'single' handles keys side by side, each key in order and never twice at once", async () => {
    const t = await start(ByKey);
    await waitFor(() => total() === KEYS.length * PER_KEY, 20_000, 'every message handled');
    for (const key of KEYS) expect(seen.order.get(key), key).toEqual(inOrder);
    expect(seen.sameKeyOverlaps).toBe(0);
    expect(seen.maxRunning).toBeGreaterThan(1);
    expect(seen.maxRunning).toBeLessThanOrEqual(4);
    await waitFor(async () => (await pending(t, 'keyed', 'by-key')) === 0, 20_000, 'all acked');
  });

  it('a failure holds back only its key: redelivered in order, other keys handled once', async () => {
    seen.failOnce.add('b#3');
    const t = await start(ByKey);
    await waitFor(() => total() === KEYS.length * PER_KEY, 20_000, 'every message handled');
    for (const key of KEYS) expect(seen.order.get(key), key).toEqual(inOrder);
    // b#3 was tried twice; b's later messages waited for it (tried once, after it succeeded).
    expect(seen.attempts.get('b#3')).toBe(2);
    const retried = [...seen.attempts].filter(([id, tries]) => tries > 1 && id !== 'b#3');
    expect(retried).toEqual([]);
    // The other keys did not wait: the end of the batch was done before b#3 succeeded.
    expect(seen.done.indexOf('f#7')).toBeLessThan(seen.done.indexOf('b#3'));
    expect(t.logger.count('error', /refusing b#3 once/)).toBe(1);
    await waitFor(async () => (await pending(t, 'keyed', 'by-key')) === 0, 20_000, 'all acked');
  });

  it('a raw handle(events) gets one call per key, calls side by side', async () => {
    const t = await start(RawByKey);
    await waitFor(() => total() === KEYS.length * PER_KEY, 20_000, 'every message handled');
    for (const key of KEYS) expect(seen.order.get(key), key).toEqual(inOrder);
    for (const keys of seen.rawCalls) expect(new Set(keys).size).toBe(1);
    expect(seen.maxRunning).toBeGreaterThan(1);
    expect(seen.maxRunning).toBeLessThanOrEqual(3);
    await waitFor(async () => (await pending(t, 'keyed', 'raw-by-key')) === 0, 20_000, 'all acked');
  });

  it("mode 'many' handles any messages of a batch at once", async () => {
    const t = await start(AnyOrder);
    await waitFor(() => total() === KEYS.length * PER_KEY, 20_000, 'every message handled');
    expect(seen.maxRunning).toBeGreaterThan(KEYS.length); // more than one per key at a time
    expect(seen.maxRunning).toBeLessThanOrEqual(8);
    await waitFor(async () => (await pending(t, 'keyed', 'any')) === 0, 20_000, 'all acked');
  });

  it("orders by the stream's partition key on a partitioned stream", async () => {
    const stream = { name: 'by-customer', partitions: 2, partitionKey: 'customer' };
    await start(ByCustomer, [stream], (app) => publishKeyed(app, 'by-customer', 'customer'));
    await waitFor(() => total() === KEYS.length * PER_KEY, 20_000, 'every message handled');
    for (const key of KEYS) expect(seen.order.get(key), key).toEqual(inOrder);
    expect(seen.sameKeyOverlaps).toBe(0);
    expect(seen.maxRunning).toBeGreaterThan(2); // ordered by "aggregate_id" it would be 1 per partition
  });
});
