import 'reflect-metadata';
import type { Type } from '@nestjs/common';
import { afterEach, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../broker/consume/stream-event.js';
import { DomainEvent } from '../event-sourcing/domain-event.decorator.js';
import { EventHandler } from '../event-sourcing/event-handler.decorator.js';
import { BatchFailedError } from './batch-dispatcher.js';
import { StreamConsumer } from './stream-consumer.decorator.js';
import { createWorkerApp, waitFor, type WorkerApp } from './workers.spec-helpers.js';

/**
 * The retry policy at its edges: delivery counting in single mode, raw batches that ack part of
 * themselves, rejections without a reason, and what the logs say about each failure.
 */
@DomainEvent('DispatchNumbered')
class Numbered {
  constructor(readonly n: number) {}
}

const state = {
  handled: [] as number[],
  attempts: new Map<number, number>(),
  failTimes: new Map<number, number>(),
  rawBatches: [] as number[][],
  rejectWith: undefined as unknown,
};

function attempt(n: number): void {
  const tries = (state.attempts.get(n) ?? 0) + 1;
  state.attempts.set(n, tries);
  if (tries <= (state.failTimes.get(n) ?? 0)) throw new Error(`refusing ${n} (try ${tries})`);
}

const fast = { block: 200, retryDelay: 20, maxRetryDelay: 50 };

@StreamConsumer('numbers', { group: 'strict', maxDeliveries: 3, ...fast })
class StrictSingle {
  @EventHandler(Numbered) on(event: Numbered) {
    attempt(event.n);
    state.handled.push(event.n);
  }
}

/** Keys side by side in the stream, handled one by one (concurrency 1): order across keys holds. */
@StreamConsumer('numbers', { group: 'keyed-strict', count: 10, ...fast })
class KeyedSingle {
  @EventHandler(Numbered) on(event: Numbered) {
    attempt(event.n);
    state.handled.push(event.n);
  }
}

@StreamConsumer('numbers', { group: 'each', mode: 'many', ...fast })
class Each {
  @EventHandler(Numbered) on(event: Numbered) {
    attempt(event.n);
    state.handled.push(event.n);
  }
}

@StreamConsumer('numbers', { group: 'silent', maxDeliveries: 1, ...fast })
class Silent {
  @EventHandler(Numbered) on() {
    return Promise.reject(state.rejectWith);
  }
}

@StreamConsumer('numbers', { group: 'raw', maxDeliveries: 2, count: 10, ...fast })
class RawPartial {
  async handle(events: StreamEvent[]) {
    state.rawBatches.push(events.map((e) => e.unserialize<{ n: number }>().n));
    await events[0].ack(); // the first is done whatever happens to the rest
    throw new Error(`batch of ${events.length} failed`);
  }
}

@StreamConsumer('numbers', { group: 'raw-all', maxDeliveries: 2, count: 10, ...fast })
class RawAllAcked {
  async handle(events: StreamEvent[]) {
    state.rawBatches.push(events.map((e) => e.unserialize<{ n: number }>().n));
    for (const event of events) await event.ack();
    throw new Error('failed after acking everything');
  }
}

@StreamConsumer('numbers', { group: 'raw-retry', count: 10, ...fast })
class RawFailsOnce {
  async handle(events: StreamEvent[]) {
    state.rawBatches.push(events.map((e) => e.unserialize<{ n: number }>().n));
    if (state.rawBatches.length === 1) throw new Error('first delivery fails');
  }
}

const apps: WorkerApp[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  state.handled = [];
  state.attempts.clear();
  state.failTimes.clear();
  state.rawBatches = [];
  state.rejectWith = undefined;
});

async function start(consumer: Type) {
  const app = await createWorkerApp({ streams: ['numbers'], providers: [consumer] });
  apps.push(app);
  return app;
}

async function publishNumbers(t: WorkerApp, ...numbers: number[]): Promise<string[]> {
  const flusher = t.broker.newFlusher();
  for (const n of numbers) flusher.publish('numbers', { n }, { type: 'DispatchNumbered' });
  return flusher.flush();
}

const deadLetters = async (t: WorkerApp) =>
  (await t.admin.xrange(t.key('numbers:dead'), '-', '+')).map(([id, fields]) => ({
    id,
    originalId: fields[fields.indexOf('original_id') + 1],
    error: fields[fields.indexOf('error') + 1],
  }));

const pending = async (t: WorkerApp, group: string) =>
  ((await t.admin.xpending(t.key('numbers'), group)) as [number])[0];

describe('stream workers: dispatch edges', () => {
  it("mode 'single' dead-letters a message out of deliveries and goes on in order", async () => {
    state.failTimes.set(2, Infinity);
    const t = await start(StrictSingle);
    const ids = await publishNumbers(t, 1, 2, 3);
    await waitFor(() => state.handled.length === 2, 20_000, 'the other two handled');
    expect(state.handled).toEqual([1, 3]);
    expect(state.attempts.get(2)).toBe(3);
    const [dead] = await deadLetters(t);
    expect(dead).toMatchObject({ originalId: ids[1], error: 'Error: refusing 2 (try 3)' });
    await waitFor(async () => (await pending(t, 'strict')) === 0, 20_000, 'all acked');
    // What the logs say: each failure with its delivery, then where the message went.
    expect(
      t.logger.count(
        'error',
        new RegExp(
          `^StrictSingle failed on message ${ids[1]} of stream "numbers" ` +
            `\\(group "strict", delivery 1/3\\): Error: refusing 2 \\(try 1\\)$`,
        ),
      ),
    ).toBe(1);
    expect(t.logger.count('error', /delivery 3\/3\): Error: refusing 2 \(try 3\)$/)).toBe(1);
    // The handler's stack goes with each failure line.
    const failure = t.logger.lines.find(
      (l) => l.level === 'error' && /delivery 1\/3/.test(l.message),
    );
    expect(failure?.stack).toMatch(/^Error: refusing 2 \(try 1\)\n\s+at /);
    expect(
      t.logger.count(
        'warn',
        new RegExp(
          `^Message ${ids[1]} of stream "numbers" \\(group "strict"\\) moved to ` +
            `"numbers:dead" as ${dead.id}: Error: refusing 2 \\(try 3\\)$`,
        ),
      ),
    ).toBe(1);
  });

  it("mode 'single' with concurrency 1 holds back every key behind a failure, not only its own", async () => {
    state.failTimes.set(1, 1);
    const app = await createWorkerApp({
      streams: ['numbers'],
      providers: [KeyedSingle],
      init: false,
    });
    apps.push(app);
    const flusher = app.broker.newFlusher();
    for (const [n, key] of [
      [1, 'a'],
      [2, 'b'],
      [3, 'a'],
      [4, 'b'],
    ] as const) {
      flusher.publish('numbers', { n }, { type: 'DispatchNumbered', aggregate_id: key });
    }
    await flusher.flush();
    await app.app.init(); // one batch of all four
    await waitFor(() => state.handled.length === 4, 20_000, 'all four handled');
    expect(state.handled).toEqual([1, 2, 3, 4]);
    expect([...state.attempts.values()]).toEqual([2, 1, 1, 1]);
  });

  it("mode 'single' does not count the rides of a message behind a failing one", async () => {
    // 3 rides along while 2 is retried twice; its own three deliveries must still be tried.
    state.failTimes.set(2, 2);
    state.failTimes.set(3, Infinity);
    const t = await start(StrictSingle);
    await publishNumbers(t, 1, 2, 3);
    await waitFor(async () => (await deadLetters(t)).length === 1, 20_000, '3 dead-lettered');
    expect(state.handled).toEqual([1, 2]);
    expect(state.attempts.get(3)).toBe(3);
    expect((await deadLetters(t))[0].error).toBe('Error: refusing 3 (try 3)');
  });

  it("mode 'many' with every message handled reports no failure", async () => {
    const t = await start(Each);
    await publishNumbers(t, 1, 2, 3);
    await waitFor(() => state.handled.length === 3, 20_000, 'three handled');
    await waitFor(async () => (await pending(t, 'each')) === 0, 20_000, 'all acked');
    expect(t.workers.status()[0]).toMatchObject({ processed: 3, failed: 0, deadLettered: 0 });
    expect(t.workers.status()[0]).toMatchObject({ connected: true, lastError: undefined });
    expect(t.logger.lines.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('a rejection without a reason is still a failure, with a reason in the dead letter', async () => {
    state.rejectWith = undefined;
    const t = await start(Silent);
    await publishNumbers(t, 1);
    await waitFor(async () => (await deadLetters(t)).length === 1, 20_000, 'dead-lettered');
    expect((await deadLetters(t))[0].error).toBe('Error: handler rejected without a reason');
    // Nothing was thrown, so there is no stack to log.
    const failure = t.logger.lines.find((l) => l.level === 'error');
    expect(failure).toMatchObject({ message: expect.stringMatching(/: undefined$/) });
    expect(failure?.stack).toBeUndefined();
    expect(t.workers.status()[0]).toMatchObject({ failed: 1, deadLettered: 1 });
  });

  it('a raw batch that acked part of itself retries and dead-letters only the rest', async () => {
    const t = await start(RawPartial);
    const ids = await publishNumbers(t, 1, 2, 3);
    await waitFor(async () => (await deadLetters(t)).length === 1, 20_000, 'dead-lettered');
    // First delivery: all three, 1 acked; second: 2 and 3, 2 acked; 3 is then out of deliveries.
    expect(state.rawBatches).toEqual([
      [1, 2, 3],
      [2, 3],
    ]);
    const [dead] = await deadLetters(t);
    expect(dead).toMatchObject({ originalId: ids[2], error: 'Error: batch of 2 failed' });
    await waitFor(async () => (await pending(t, 'raw')) === 0, 20_000, 'all acked');
    expect(
      t.logger.count(
        'error',
        new RegExp(
          `^RawPartial failed on batch of 3 \\(first ${ids[0]}\\) of stream "numbers" ` +
            `\\(group "raw", delivery 1/2\\): Error: batch of 3 failed$`,
        ),
      ),
    ).toBe(1);
  });

  it('a raw batch that failed without acking anything is delivered again, whole', async () => {
    const t = await start(RawFailsOnce);
    await publishNumbers(t, 1, 2);
    await waitFor(() => state.rawBatches.length === 2, 20_000, 'the redelivery');
    expect(state.rawBatches).toEqual([
      [1, 2],
      [1, 2],
    ]);
    await waitFor(async () => (await pending(t, 'raw-retry')) === 0, 20_000, 'all acked');
    expect(t.workers.status()[0]).toMatchObject({ failed: 1, deadLettered: 0 });
  });

  it('a raw batch that acked everything before failing is not retried', async () => {
    const t = await start(RawAllAcked);
    await publishNumbers(t, 1, 2);
    await waitFor(() => t.workers.status()[0].failed === 1, 20_000, 'the failure counted');
    await waitFor(async () => (await pending(t, 'raw-all')) === 0, 20_000, 'all acked');
    await publishNumbers(t, 3);
    await waitFor(() => state.rawBatches.length === 2, 20_000, 'the next batch');
    expect(state.rawBatches).toEqual([[1, 2], [3]]);
    expect(await deadLetters(t)).toEqual([]);
  });
});

describe('BatchFailedError', () => {
  it('carries the handler failure as its cause and message', () => {
    const failure = new TypeError('bad');
    const error = new BatchFailedError(failure);
    expect(error.name).toBe('BatchFailedError');
    expect(error.message).toBe('TypeError: bad');
    expect(error.cause).toBe(failure);
    expect(error.failure).toBe(failure);
  });
});
