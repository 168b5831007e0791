import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { EventBroker, type StreamEvent } from 'nestjs-flux';
import { startFaultApp, type FaultApp } from './support/app.js';
import { REDIS_URL } from './support/env.js';
import { deleteKeys, keyPrefix } from './support/redis-keys.js';
import { report, Tally } from './support/tally.js';
import { StreamConsumer } from 'nestjs-flux';
import { waitUntil, within } from './support/wait.js';

/**
 * Fault 7: `app.close()` while workers are busy (slow handlers, batches in hand, a publisher
 * still writing). Every handler that started finishes, its messages are acknowledged, and
 * nothing stays pending for a consumer that no longer exists; a new instance then processes
 * the rest.
 */
const state = {
  started: 0,
  finished: 0,
  seen: [] as string[],
  closing: false,
  startedWhileClosing: 0,
};

@StreamConsumer('close-stream', {
  group: 'close-group',
  mode: 'many',
  consumers: 3,
  count: 10,
  block: 200,
  claimIdle: 60_000,
})
class SlowWorker {
  async handle(events: StreamEvent[]) {
    state.started++;
    if (state.closing) state.startedWhileClosing++;
    for (const e of events) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      state.seen.push(e.unserialize<{ uid: string }>().uid);
    }
    state.finished++;
  }
}

const SENT = 2000;

describe('fault 7: app.close() under load', () => {
  const prefix = keyPrefix('close');
  const apps: FaultApp[] = [];
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await deleteKeys(prefix);
  });

  const start = async () => {
    const fault = await startFaultApp({
      flux: { redis: { default: REDIS_URL }, keyPrefix: prefix, streams: ['close-stream'] },
      providers: [SlowWorker],
      workers: true,
    });
    apps.push(fault);
    return fault;
  };

  it('finishes and acks the batches in hand and leaves nothing pending for a gone consumer', async () => {
    const first = await start();
    const broker = first.app.get(EventBroker);
    const tally = new Tally('7 app.close() under load');
    const publisher = broker.newFlusher();
    for (let i = 0; i < SENT; i++) {
      tally.send(`m${i}`);
      publisher.publish('close-stream', { uid: `m${i}` });
    }
    await publisher.flush();
    await waitUntil('the workers to be busy', () => state.seen.length >= 300, 30_000);

    state.closing = true;
    const inFlightAtClose = state.started - state.finished;
    const closeStarted = Date.now();
    await within(30_000, 'app.close()', first.close());
    const closeMs = Date.now() - closeStarted;
    const unfinished = state.started - state.finished;
    const processedBeforeClose = new Set(state.seen).size;

    const redis = new Redis(REDIS_URL);
    const key = `${prefix}close-stream`;
    const [pending] = (await redis.xpending(key, 'close-group')) as [number];
    const consumers = (await redis.xinfo('CONSUMERS', key, 'close-group')) as unknown[][];
    const leftover = consumers.map((c) => Object.fromEntries(chunk(c as string[])));

    // A second instance processes the rest.
    state.closing = false;
    const second = await start();
    await waitUntil(
      'the rest processed',
      () => new Set(state.seen).size >= SENT,
      60_000,
      () => `${new Set(state.seen).size}/${SENT}`,
    );
    await second.close();
    state.seen.forEach((uid) => tally.see(uid));
    const [pendingAtEnd] = (await redis.xpending(key, 'close-group')) as [number];
    redis.disconnect();

    tally.report({
      inFlightAtClose,
      unfinishedAfterClose: unfinished,
      startedWhileClosing: state.startedWhileClosing,
      processedBeforeClose,
      pendingAfterClose: pending,
      consumersLeftAfterClose: leftover.length,
      closeMs,
      pendingAtEnd,
    });
    report('7 note', { handlerMsPerMessage: 5, batch: 10, consumers: 3 });
    expect(unfinished).toBe(0);
    expect(pending).toBe(0);
    expect(leftover.filter((c) => Number(c.pending) > 0)).toEqual([]);
    expect(tally.lost).toBe(0);
    expect(tally.duplicates).toBe(0);
    expect(pendingAtEnd).toBe(0);
  });
});

function chunk(fields: string[]): [string, unknown][] {
  const pairs: [string, unknown][] = [];
  for (let i = 0; i < fields.length; i += 2) pairs.push([String(fields[i]), fields[i + 1]]);
  return pairs;
}
