import { afterEach, describe, expect, it } from 'vitest';
import { createTestBroker, type TestBroker } from '../broker.spec-helpers.js';
import type { StreamEvent } from './stream-event.js';

describe('several consumer groups on one stream', () => {
  let t: TestBroker;
  afterEach(() => t.close());

  it('delivers every message to each group and deletes it only once all acked', async () => {
    t = createTestBroker(['events']);
    const billing = await t.broker.consumerMany('events', { group: 'billing' });
    const mailing = await t.broker.consumerMany('events', { group: 'mailing' });
    const ids = [await t.broker.publish('events', 1), await t.broker.publish('events', 2)];

    const billed: string[] = [];
    await billing.consume(10, 0, (events) => void billed.push(...events.map((e) => e.id)));
    expect(billed).toEqual(ids);
    expect(await t.admin.xlen(t.key('events'))).toBe(2); // mailing has not read them yet

    // mailing acks only the first; the second stays pending there and in the stream
    await mailing
      .consume(10, 0, async (events) => {
        await events[0].ack();
        throw new Error('second failed');
      })
      .catch(() => 0);
    const left = await t.admin.xrange(t.key('events'), '-', '+');
    expect(left.map(([id]) => id)).toEqual([ids[1]]);

    let retried: StreamEvent[] = [];
    await mailing.consume(10, 0, (events) => void (retried = events));
    expect(retried.map((e) => e.id)).toEqual([ids[1]]);
    expect(await t.admin.xlen(t.key('events'))).toBe(0);
  });

  it('keeps a message a later group has not read yet (it starts at 0)', async () => {
    t = createTestBroker(['events']);
    const first = await t.broker.consumerMany('events', { group: 'first' });
    await t.broker.consumerMany('events', { group: 'late' }); // created, reads nothing
    await t.broker.publish('events', 'x');
    await first.consume(10, 0, () => undefined);
    expect(await t.admin.xlen(t.key('events'))).toBe(1);
  });

  it('trims with maxLen approximately but never drops what a lagging group has not acked', async () => {
    t = createTestBroker([{ name: 'capped', maxLen: 10 }]);
    const fast = await t.broker.consumerMany('capped', { group: 'fast' });
    const slow = await t.broker.consumerMany('capped', { group: 'slow' });
    const flusher = t.broker.newFlusher();
    for (let i = 0; i < 500; i++) flusher.publish('capped', i);
    const ids = await flusher.flush();
    for (let i = 0; i < 5; i++) await fast.consume(100, 0, () => undefined);
    for (let i = 0; i < 500; i++) await t.broker.publish('capped', 500 + i);
    expect(await t.admin.xlen(t.key('capped'))).toBeGreaterThanOrEqual(1000); // slow read nothing

    const seen: unknown[] = [];
    while (
      (await slow.consume(
        200,
        0,
        (events) => void seen.push(...events.map((e) => e.unserialize())),
      )) > 0
    );
    expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(ids).toHaveLength(500);

    expect(await t.admin.xlen(t.key('capped'))).toBe(500); // fast acked them, slow did not
  });

  it('trims entries every group is already past', async () => {
    t = createTestBroker([{ name: 'capped', maxLen: 100 }]);
    const flusher = t.broker.newFlusher();
    for (let i = 0; i < 1000; i++) flusher.publish('capped', i);
    await flusher.flush();
    await t.admin.xgroup('CREATE', t.key('capped'), 'tail', '$'); // past all 1000 entries
    const tail = await t.broker.consumerMany('capped', { group: 'tail' });
    await t.broker.publish('capped', 'new');
    const len = await t.admin.xlen(t.key('capped'));
    expect(len).toBeLessThan(300); // `~` keeps whole radix nodes
    let got: unknown[] = [];
    await tail.consume(10, 0, (events) => void (got = events.map((e) => e.unserialize())));
    expect(got).toEqual(['new']); // the entry the group still needed survived
  });

  it('trims a stream without groups to about maxLen', async () => {
    t = createTestBroker([{ name: 'capped', maxLen: 100 }]);
    const flusher = t.broker.newFlusher();
    for (let i = 0; i < 1000; i++) flusher.publish('capped', i);
    await flusher.flush();
    await t.broker.publish('capped', 'last');
    const len = await t.admin.xlen(t.key('capped'));
    expect(len).toBeGreaterThanOrEqual(100);
    expect(len).toBeLessThan(300); // `~` keeps whole radix nodes (100 entries each by default)
  });
});
