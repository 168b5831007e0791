import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';
import { createTestBroker, type TestBroker } from '../broker.spec-helpers.js';
import { ConsumerClosedError } from '../errors/consumer-closed.error.js';
import type { StreamEvent } from './stream-event.js';

describe('BrokerConsumer', () => {
  let t: TestBroker;
  beforeEach(() => {
    t = createTestBroker(['jobs']);
  });
  afterEach(() => t.close());

  const publishN = async (n: number) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push(await t.broker.publish('jobs', { n: i }));
    return ids;
  };
  const pendingOf = async (group = 'consumer_group') =>
    ((await t.admin.xpending(t.key('jobs'), group)) as [number])[0];

  it('acks and deletes a batch when the handler resolves', async () => {
    const ids = await publishN(3);
    const consumer = await t.broker.consumerSingle('jobs');
    expect(consumer.name).toBe('consumer-single');
    const seen: StreamEvent[] = [];
    expect(await consumer.consume(10, 0, (events) => void seen.push(...events))).toBe(3);
    expect(seen.map((e) => e.id)).toEqual(ids);
    expect(seen.map((e) => e.unserialize())).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    expect(seen.every((e) => e.deliveryCount === 1 && e.acked)).toBe(true);
    expect(seen[0].group).toBe('consumer_group');
    expect(await t.admin.xlen(t.key('jobs'))).toBe(0);
    expect(await pendingOf()).toBe(0);
  });

  it('rejects invalid arguments without touching Redis', async () => {
    const consumer = await t.broker.consumerMany('jobs');
    await expect(consumer.consume(0, 0, () => undefined)).rejects.toThrow(InvalidArgumentError);
    await expect(consumer.consume(1, -1, () => undefined)).rejects.toThrow(/blockMs/);
    await expect(consumer.autoClaim(1, 1.5, () => undefined)).rejects.toThrow(/minIdleMs/);
  });

  it('calls no handler on an empty read', async () => {
    const consumer = await t.broker.consumerMany('jobs');
    let calls = 0;
    expect(await consumer.consume(10, 50, () => void calls++)).toBe(0);
    expect(calls).toBe(0);
  });

  it('leaves a failed batch pending and redelivers it with deliveryCount 2', async () => {
    const ids = await publishN(2);
    const consumer = await t.broker.consumerSingle('jobs');
    const boom = new Error('handler failed');
    await expect(consumer.consume(10, 0, () => Promise.reject(boom))).rejects.toBe(boom);
    expect(await pendingOf()).toBe(2);
    expect(await t.admin.xlen(t.key('jobs'))).toBe(2);

    await publishN(1); // new messages wait until the pending ones are done
    let again: StreamEvent[] = [];
    await consumer.consume(10, 0, (events) => void (again = events));
    expect(again.map((e) => e.id)).toEqual(ids);
    expect(again.map((e) => e.deliveryCount)).toEqual([2, 2]);
    let fresh: StreamEvent[] = [];
    await consumer.consume(10, 0, (events) => void (fresh = events));
    expect(fresh.map((e) => e.deliveryCount)).toEqual([1]);
    expect(await t.admin.xlen(t.key('jobs'))).toBe(0);
  });

  it('acks individually acked events once, and acks the rest after the handler', async () => {
    await publishN(3);
    const consumer = await t.broker.consumerMany('jobs');
    await expect(
      consumer.consume(10, 0, async (events) => {
        await events[0].ack();
        await events[0].ack(); // idempotent
        throw new Error('later ones fail');
      }),
    ).rejects.toThrow('later ones fail');
    expect(await t.admin.xlen(t.key('jobs'))).toBe(2);
    expect(await pendingOf()).toBe(2);
  });

  it('lets a restarted consumerSingle pick up what it held', async () => {
    const ids = await publishN(2);
    const first = await t.broker.consumerSingle('jobs');
    await first.consume(10, 0, () => Promise.reject(new Error('crash'))).catch(() => undefined);
    await first.close();
    const restarted = await t.broker.consumerSingle('jobs');
    let got: string[] = [];
    await restarted.consume(10, 0, (events) => void (got = events.map((e) => e.id)));
    expect(got).toEqual(ids);
    expect(await t.admin.xlen(t.key('jobs'))).toBe(0);
  });

  it('gives consumerMany consumers unique names', async () => {
    const names = new Set<string>();
    for (let i = 0; i < 20; i++) names.add((await t.broker.consumerMany('jobs')).name);
    expect(names.size).toBe(20);
  });

  it('lets another consumer claim what a dead one held, losing nothing', async () => {
    const ids = await publishN(5);
    const dying = await t.broker.consumerMany('jobs');
    await dying.consume(3, 0, () => Promise.reject(new Error('process died'))).catch(() => 0);
    await dying.close(); // never acks, never cleans up
    const rescuer = await t.broker.consumerMany('jobs');
    expect(await rescuer.autoClaim(2, 10_000, () => undefined)).toBe(0); // not idle enough yet
    const claimed: StreamEvent[] = [];
    expect(await rescuer.autoClaim(2, 0, (events) => void claimed.push(...events))).toBe(3);
    expect(claimed.map((e) => e.id)).toEqual(ids.slice(0, 3));
    expect(claimed.every((e) => e.deliveryCount === 2 && e.consumer === rescuer.name)).toBe(true);
    let rest: string[] = [];
    await rescuer.consume(10, 0, (events) => void (rest = events.map((e) => e.id)));
    expect(rest).toEqual(ids.slice(3));
    expect(await t.admin.xlen(t.key('jobs'))).toBe(0);
  });

  it('skips claimed entries that were deleted while pending', async () => {
    const ids = await publishN(2);
    const dying = await t.broker.consumerMany('jobs');
    await dying.consume(10, 0, () => Promise.reject(new Error('x'))).catch(() => 0);
    await t.admin.xdel(t.key('jobs'), ids[0]);
    const rescuer = await t.broker.consumerMany('jobs');
    const claimed: string[] = [];
    await rescuer.autoClaim(10, 0, (events) => void claimed.push(...events.map((e) => e.id)));
    expect(claimed).toEqual([ids[1]]);
    expect(await pendingOf()).toBe(0);
  });

  it('cleanup removes an idle consumer but keeps one holding pending messages', async () => {
    await publishN(1);
    const holder = await t.broker.consumerMany('jobs');
    await holder.consume(10, 0, () => Promise.reject(new Error('x'))).catch(() => 0);
    const idle = await t.broker.consumerMany('jobs');
    await idle.consume(10, 0, () => undefined);
    expect(await holder.cleanup()).toBe(false);
    expect(await idle.cleanup()).toBe(true);
    const consumers = (await t.admin.xinfo(
      'CONSUMERS',
      t.key('jobs'),
      'consumer_group',
    )) as unknown[][];
    expect(consumers.map((c) => c[1])).toEqual([holder.name]);
    expect(await pendingOf()).toBe(1);
    await expect(holder.consume(1, 0, () => undefined)).rejects.toThrow(ConsumerClosedError);
  });

  it('close() ends a blocked read at once', async () => {
    const consumer = await t.broker.consumerMany('jobs');
    const started = Date.now();
    const reading = consumer.consume(10, 20_000, () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 100)); // let it block
    await consumer.close();
    expect(await reading).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a blocked read returns as soon as a message arrives', async () => {
    const consumer = await t.broker.consumerMany('jobs');
    const reading = consumer.consume(10, 20_000, () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await publishN(1);
    expect(await reading).toBe(1);
  });
});
