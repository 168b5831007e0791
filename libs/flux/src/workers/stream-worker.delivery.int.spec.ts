import 'reflect-metadata';
import { decode } from '@msgpack/msgpack';
import type { Type } from '@nestjs/common';
import { afterEach, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../broker/consume/stream-event.js';
import { DomainEvent } from '../event-sourcing/domain-event.decorator.js';
import { EventHandler } from '../event-sourcing/event-handler.decorator.js';
import { FluxInstrumentation } from '../observability/flux-instrumentation.js';
import { StreamConsumer } from './stream-consumer.decorator.js';
import { createWorkerApp, waitFor, type WorkerApp } from './workers.spec-helpers.js';

@DomainEvent('DeliveryNumbered')
class Numbered {
  constructor(readonly n: number) {}
}

/** Per-test behaviour of the consumers below (each test runs alone in this file). */
const state = {
  handled: [] as number[],
  attempts: new Map<number, number>(),
  failTimes: new Map<number, number>(),
  byConsumer: new Map<string, number[]>(),
};

function attempt(n: number): void {
  const tries = (state.attempts.get(n) ?? 0) + 1;
  state.attempts.set(n, tries);
  if (tries <= (state.failTimes.get(n) ?? 0)) throw new Error(`refusing ${n} (try ${tries})`);
}

@StreamConsumer('numbers', { group: 'ordered', block: 200, retryDelay: 20, maxRetryDelay: 100 })
class Ordered {
  @EventHandler(Numbered) on(event: Numbered) {
    attempt(event.n);
    state.handled.push(event.n);
  }
}

@StreamConsumer('numbers', {
  group: 'parallel',
  mode: 'many',
  consumers: 4,
  count: 10,
  block: 200,
  maxDeliveries: 3,
  retryDelay: 20,
  maxRetryDelay: 50,
})
class Parallel {
  @EventHandler(Numbered) async on(event: Numbered, msg: StreamEvent) {
    attempt(event.n);
    await new Promise((resolve) => setImmediate(resolve));
    state.handled.push(event.n);
    const list = state.byConsumer.get(msg.consumer) ?? [];
    state.byConsumer.set(msg.consumer, [...list, event.n]);
  }
}

@StreamConsumer('numbers', { group: 'strict', block: 200, retryDelay: 20 })
class Strict {
  @EventHandler(Numbered) on(event: Numbered) {
    state.handled.push(event.n);
  }
}

@StreamConsumer('numbers', { group: 'lenient', block: 200, ignoreUnknown: true })
class Lenient {
  @EventHandler(Numbered) on(event: Numbered) {
    state.handled.push(event.n);
  }
}

const apps: WorkerApp[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  state.handled = [];
  state.attempts.clear();
  state.failTimes.clear();
  state.byConsumer.clear();
});

async function start(...classes: Type[]) {
  const app = await createWorkerApp({ streams: ['numbers'], providers: classes });
  apps.push(app);
  return app;
}

async function publishNumbers(t: WorkerApp, from: number, to: number): Promise<string[]> {
  const flusher = t.broker.newFlusher();
  for (let n = from; n <= to; n++) flusher.publish('numbers', { n }, { type: 'DeliveryNumbered' });
  return flusher.flush();
}

const pending = async (t: WorkerApp, group: string) =>
  ((await t.admin.xpending(t.key('numbers'), group)) as [number])[0];

describe('stream workers: delivery', () => {
  it("mode 'single' keeps order through a failing message", async () => {
    state.failTimes.set(3, 2);
    const t = await start(Ordered);
    await publishNumbers(t, 1, 10);
    await waitFor(() => state.handled.length === 10, 10_000, 'ten handled');
    expect(state.handled).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(state.attempts.get(3)).toBe(3);
    for (const n of [1, 2, 4, 5, 6, 7, 8, 9, 10]) expect(state.attempts.get(n)).toBe(1);
    await waitFor(async () => (await pending(t, 'ordered')) === 0);
    expect(t.workers.status()[0]).toMatchObject({ processed: 10, failed: 2, deadLettered: 0 });
  });

  it("mode 'single' counts deliveries per message, not per batch it rode along in", async () => {
    // 5 is redelivered with 3 while 3 is retried: those deliveries must not count against 5.
    state.failTimes.set(3, 4);
    state.failTimes.set(5, 4);
    const t = await start(Ordered);
    await publishNumbers(t, 1, 6);
    await waitFor(() => state.handled.length === 6, 10_000, 'six handled');
    expect(state.handled).toEqual([1, 2, 3, 4, 5, 6]);
    expect(state.attempts.get(5)).toBe(5);
    expect(t.workers.status()[0]).toMatchObject({ processed: 6, failed: 8, deadLettered: 0 });
  });

  it("mode 'many' with 4 consumers handles every message once", async () => {
    const t = await start(Parallel);
    await publishNumbers(t, 1, 400);
    await waitFor(() => state.handled.length >= 400, 10_000, '400 handled');
    expect([...state.handled].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 400 }, (_, i) => i + 1),
    );
    expect(t.workers.status()).toHaveLength(4);
    expect(state.byConsumer.size).toBeGreaterThan(1);
    await waitFor(async () => (await pending(t, 'parallel')) === 0);
  });

  it('moves a message out of deliveries to <stream>:dead and goes on', async () => {
    state.failTimes.set(5, Infinity);
    const t = await start(Parallel);
    const seen = { consumed: 0, acked: 0, failed: 0, dead: 0, handled: 0 };
    t.app.get(FluxInstrumentation).subscribe({
      consumed: (_s, _g, n) => (seen.consumed += n),
      acked: (_s, _g, n) => (seen.acked += n),
      failed: (_s, _g, n) => (seen.failed += n),
      deadLettered: (_s, _g, n) => (seen.dead += n),
      handled: () => seen.handled++,
    });
    const ids = await publishNumbers(t, 1, 50);
    await waitFor(() => t.workers.status().some((s) => s.deadLettered === 1), 10_000, 'dead');
    await publishNumbers(t, 51, 100);
    await waitFor(() => state.handled.length === 99, 10_000, 'the others handled');
    expect(state.attempts.get(5)).toBe(3);
    const dead = await t.admin.xrange(t.key('numbers:dead'), '-', '+');
    expect(dead).toHaveLength(1);
    const fields = Object.fromEntries(
      Array.from({ length: dead[0][1].length / 2 }, (_, i) => [
        dead[0][1][2 * i],
        dead[0][1][2 * i + 1],
      ]),
    );
    expect(fields).toMatchObject({
      original_id: ids[4],
      original_stream: 'numbers',
      group: 'parallel',
      type: 'DeliveryNumbered',
    });
    expect(fields.error).toContain('refusing 5');
    const [[, raw]] = await t.admin.xrangeBuffer(t.key('numbers:dead'), '-', '+');
    expect(decode(raw[raw.findIndex((f) => f.toString() === 'body') + 1])).toEqual({ n: 5 });
    expect(fields.consumer).toMatch(/^consumer-/);
    expect(new Date(fields.failed_at).getTime()).toBeGreaterThan(0);
    await waitFor(async () => (await pending(t, 'parallel')) === 0);
    await waitFor(() => seen.acked === 100, 2_000, 'every message acked once');
    expect(seen).toMatchObject({ failed: 3, dead: 1, handled: 99 });
    expect(seen.consumed).toBe(102); // 100 + the two redeliveries of the failing one
  });

  it('dead-letters an undecodable body and an unknown type at once', async () => {
    const t = await start(Strict);
    await publishNumbers(t, 1, 1);
    await t.admin.xadd(
      t.key('numbers'),
      '*',
      'body',
      Buffer.from([0xc1]),
      'type',
      'DeliveryNumbered',
    );
    await t.broker.publish('numbers', { n: 3 }, { type: 'NobodyKnowsMe' });
    await t.broker.publish('numbers', { n: 4 }); // no type tag at all
    await publishNumbers(t, 5, 5);
    await waitFor(() => state.handled.length === 2, 5_000, 'good ones handled');
    expect(state.handled).toEqual([1, 5]);
    const dead = await t.admin.xrange(t.key('numbers:dead'), '-', '+');
    const errors = dead.map(([, f]) => f[f.indexOf('error') + 1]);
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatch(/undecodable body/);
    expect(errors[1]).toMatch(/Unknown event type "NobodyKnowsMe"/);
    expect(errors[2]).toMatch(/no "type" tag/);
    expect(t.workers.status()[0]).toMatchObject({ deadLettered: 3, failed: 0 });
    await waitFor(async () => (await pending(t, 'strict')) === 0);
  });

  it('acks and logs unknown types with ignoreUnknown', async () => {
    const t = await start(Lenient);
    await t.broker.publish('numbers', { n: 1 }, { type: 'NobodyKnowsMe' });
    await t.broker.publish('numbers', { n: 2 }, { type: 'NobodyKnowsMe' });
    await publishNumbers(t, 3, 3);
    await waitFor(() => state.handled.length === 1);
    await waitFor(async () => (await pending(t, 'lenient')) === 0);
    expect(await t.admin.exists(t.key('numbers:dead'))).toBe(0);
    expect(t.logger.count('warn', /Unknown event type "NobodyKnowsMe"/)).toBe(1);
  });
});
