import { afterEach, describe, expect, it } from 'vitest';
import { LeaseLostError } from '../../errors/lease-lost.error.js';
import { createTestBroker, type TestBroker } from '../broker.spec-helpers.js';
import { leaseKeyOf } from './lease-key.js';

let tb: TestBroker | undefined;
afterEach(async () => {
  if (tb) await tb.admin.del(leaseKeyOf(tb.key('orders'), 'g'));
  await tb?.close();
  tb = undefined;
});

/** A consumer fenced by a lease key the test sets by hand (no renewal: the test is the holder). */
async function fenced(name: string, token: string) {
  const leaseKey = leaseKeyOf(tb!.key('orders'), 'g');
  await tb!.admin.set(leaseKey, token);
  return tb!.broker.consumerLeased('orders', { group: 'g', name, fence: { key: leaseKey, token } });
}

describe('consumers fenced by a lease', () => {
  it('refuse to ack once the lease holds another token: the batch stays pending', async () => {
    tb = createTestBroker(['orders']);
    for (let i = 0; i < 3; i++) await tb.broker.publish('orders', { i });
    const stale = await fenced('stale', 'stale#1');
    const error = await stale
      .consume(10, 0, async () => {
        await tb!.admin.set(leaseKeyOf(tb!.key('orders'), 'g'), 'successor#2'); // taken meanwhile
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LeaseLostError);
    expect((error as LeaseLostError).code).toBe('LEASE_LOST');
    const [pending] = (await tb.admin.xpending(tb.key('orders'), 'g')) as [number];
    expect(pending).toBe(3);
    expect(await tb.admin.xlen(tb.key('orders'))).toBe(3);
  });

  it('refuse to read new messages or claim without the lease: the group does not move', async () => {
    tb = createTestBroker(['orders']);
    await tb.broker.publish('orders', { i: 1 });
    const stale = await fenced('stale', 'stale#1');
    await tb.admin.set(leaseKeyOf(tb.key('orders'), 'g'), 'successor#2');
    const handled: string[] = [];
    await expect(
      stale.consume(10, 100, async (events) => void handled.push(...events.map((e) => e.id))),
    ).rejects.toBeInstanceOf(LeaseLostError);
    await expect(stale.takeOver()).rejects.toBeInstanceOf(LeaseLostError);
    expect(handled).toEqual([]);
    const [info] = (await tb.admin.xinfo('GROUPS', tb.key('orders'))) as unknown[][];
    expect(info[info.indexOf('last-delivered-id') + 1]).toBe('0-0');
  });

  it('a new holder takes over every pending message in stream order, then reads new ones', async () => {
    tb = createTestBroker(['orders']);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await tb.broker.publish('orders', { i }));
    // A first holder read four and died without acking them.
    await tb.broker.consumerSingle('orders', { group: 'g' });
    await tb.admin.xreadgroup('GROUP', 'g', 'first', 'COUNT', 4, 'STREAMS', tb.key('orders'), '>');
    const next = await fenced('next', 'next#2');
    expect(await next.takeOver()).toBe(4);
    const seen: string[] = [];
    while (seen.length < 6) {
      await next.consume(3, 0, async (events) => void seen.push(...events.map((e) => e.id)));
    }
    expect(seen).toEqual(ids);
    const stats = await tb.broker.getStreamStatistics('orders');
    expect(stats?.group).toMatchObject({ pending: 0, leaseHolder: 'next' });
    // The dead holder had nothing left pending after the takeover and was removed.
    expect(stats?.group?.consumers.map((c) => c.name)).toEqual(['next']);
  });
});
