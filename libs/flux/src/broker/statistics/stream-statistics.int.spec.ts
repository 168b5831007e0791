import { afterEach, describe, expect, it } from 'vitest';
import { createTestBroker, type TestBroker } from '../broker.spec-helpers.js';

describe('EventBroker statistics', () => {
  let t: TestBroker;
  afterEach(() => t.close());

  it('is null for a stream that does not exist yet', async () => {
    t = createTestBroker(['stats']);
    expect(await t.broker.getStreamStatistics('stats')).toBeNull();
    expect(await t.broker.getStreamsStatistics()).toEqual([]);
  });

  it('reports length, lag, pending and consumers of a known state', async () => {
    t = createTestBroker(['stats', 'plain']);
    const worker = await t.broker.consumerMany('stats');
    const idler = await t.broker.consumerMany('stats');
    await t.broker.consumerMany('stats', { group: 'audit' });
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push(await t.broker.publish('stats', i));
    await t.broker.publish('plain', 'x');
    // worker: 3 acked (kept in the stream: audit has not read them), then 2 left pending
    await worker.consume(3, 0, () => undefined);
    await worker.consume(2, 0, () => Promise.reject(new Error('x'))).catch(() => 0);
    await idler.consume(1, 0, () => Promise.reject(new Error('x'))).catch(() => 0);

    const stats = (await t.broker.getStreamStatistics('stats'))!;
    expect(stats.stream).toBe('stats');
    expect(stats.redisPool).toBe('default');
    expect(stats.len).toBe(10);
    expect(stats.oldestEventSeconds).toBeGreaterThanOrEqual(0);
    expect(stats.oldestEventSeconds).toBeLessThan(60);
    expect(stats.groups.map((g) => g.group)).toEqual(['audit', 'consumer_group']);
    const group = stats.group!;
    expect(group.group).toBe('consumer_group'); // the default group is reported first
    expect(group.lag).toBe(4);
    expect(group.pending).toBe(3);
    expect(group.lastDeliveredId).toBe(ids[5]);
    expect(group.lowerId).toBe(ids[3]);
    expect(group.lowerDuration).toBeGreaterThanOrEqual(0);
    expect(group.lastDeliveredDuration).toBeLessThanOrEqual(group.lowerDuration);
    const byName = Object.fromEntries(group.consumers.map((c) => [c.name, c.pending]));
    expect(byName).toEqual({ [worker.name]: 2, [idler.name]: 1 });

    const audit = stats.groups[0];
    expect(audit).toMatchObject({ lag: 10, pending: 0, lastDeliveredId: '0-0', lowerId: null });
    expect(audit.lastDeliveredDuration).toBe(0);
    expect(audit.consumers).toEqual([]);

    const plain = await t.broker.getStreamStatistics('plain');
    expect(plain).toMatchObject({ len: 1, group: null, groups: [] });
    expect((await t.broker.getStreamsStatistics()).map((s) => s.stream)).toEqual([
      'stats',
      'plain',
    ]);
    expect((await t.broker.getStreamsStatistics('plain')).map((s) => s.stream)).toEqual(['plain']);
  });

  it('counts the lag itself when Redis cannot tell it after deletions', async () => {
    t = createTestBroker(['stats']);
    const consumer = await t.broker.consumerMany('stats');
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await t.broker.publish('stats', i));
    await consumer.consume(2, 0, () => undefined);
    await t.admin.xdel(t.key('stats'), ids[4]); // a tombstone after the last delivered id
    const [raw] = (await t.admin.xinfo('GROUPS', t.key('stats'))) as unknown[][];
    expect(raw[raw.indexOf('lag') + 1]).toBeNull(); // what Redis reports here
    const group = (await t.broker.getStreamStatistics('stats'))!.group!;
    expect(group.lag).toBe(3);
  });
});
