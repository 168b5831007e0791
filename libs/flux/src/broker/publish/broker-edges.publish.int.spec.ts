import { afterEach, describe, expect, it } from 'vitest';
import { FluxInstrumentation } from '../../observability/flux-instrumentation.js';
import { createTestBroker, type TestBroker } from '../broker.spec-helpers.js';
import { FlushError } from '../errors/flush.error.js';
import { EventBroker } from '../event-broker.js';
import type { RedisPools } from '../pools/redis-pools.js';

/**
 * Edges of publish and flush that the scenario specs pass through without pinning down:
 * what a mutation of each branch would break.
 */
let t: TestBroker;
let open: TestBroker | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

/** The broker's own pools, shared by a second broker that reports to an instrumentation. */
const pools = (b: TestBroker) => (b.broker as unknown as { pools: RedisPools }).pools;

const tagsOf = (fields: string[]) =>
  Object.fromEntries(
    Array.from({ length: fields.length / 2 }, (_, i) => [fields[2 * i], fields[2 * i + 1]]),
  );

describe('publish and flush to a capped stream', () => {
  it('publish alone trims to about maxLen and keeps the tags', async () => {
    t = open = createTestBroker([{ name: 'capped', maxLen: 10 }]);
    for (let i = 0; i < 250; i++) await t.broker.publish('capped', i, { n: String(i) });
    // `~` removes whole radix nodes (100 entries): about maxLen, never all 250.
    expect(await t.admin.xlen(t.key('capped'))).toBeLessThan(200);
    const [[, fields]] = await t.admin.xrevrange(t.key('capped'), '+', '-', 'COUNT', 1);
    expect(tagsOf(fields)).toMatchObject({ n: '249' });
  });

  it('a flush alone trims to about maxLen and keeps the tags', async () => {
    t = open = createTestBroker([{ name: 'capped', maxLen: 10 }, { name: 'open' }]);
    const flusher = t.broker.newFlusher();
    for (let i = 0; i < 250; i++) {
      flusher.publish('capped', i, { n: String(i) });
      flusher.publish('open', i);
    }
    await flusher.flush();
    expect(await t.admin.xlen(t.key('capped'))).toBeLessThan(200);
    expect(await t.admin.xlen(t.key('open'))).toBe(250);
    const [[, fields]] = await t.admin.xrevrange(t.key('capped'), '+', '-', 'COUNT', 1);
    expect(tagsOf(fields)).toMatchObject({ n: '249' });
  });

  it('publish rejects when Redis refuses the XADD, capped or not', async () => {
    t = open = createTestBroker([{ name: 'capped', maxLen: 10 }, { name: 'open' }]);
    await t.admin.set(t.key('capped'), 'not a stream');
    await t.admin.set(t.key('open'), 'not a stream');
    await expect(t.broker.publish('capped', 1)).rejects.toThrow(/WRONGTYPE/);
    await expect(t.broker.publish('open', 1)).rejects.toThrow(/WRONGTYPE/);
  });
});

describe('EventFlusher edges', () => {
  it('a refused XADD fails the flush with that error as the cause; a retry sends only the rest', async () => {
    t = open = createTestBroker(['good', 'bad']);
    await t.admin.set(t.key('bad'), 'not a stream');
    const flusher = t.broker.newFlusher();
    flusher.publish('good', 1, { k: 'v' });
    flusher.publish('bad', 2);
    flusher.publish('good', 3);
    const error = (await flusher.flush().catch((e: unknown) => e)) as FlushError;
    expect(error).toBeInstanceOf(FlushError);
    expect(error).toMatchObject({ pools: ['default'], unsent: 1 });
    expect((error.cause as Error).message).toMatch(/^WRONGTYPE/);
    expect(error.message).toContain('WRONGTYPE');
    expect(await t.admin.xlen(t.key('good'))).toBe(2);
    await t.admin.del(t.key('bad'));
    const ids = await flusher.flush();
    expect(ids).toHaveLength(3);
    const good = await t.admin.xrange(t.key('good'), '-', '+');
    const bad = await t.admin.xrange(t.key('bad'), '-', '+');
    expect(ids).toEqual([good[0][0], bad[0][0], good[1][0]]);
    expect(tagsOf(good[0][1])).toMatchObject({ k: 'v' });
  });

  it('a pool that cannot be reached fails with the connection error as the cause', async () => {
    t = open = createTestBroker(['here', { name: 'there', pool: 'gone' }], {
      default: 'redis://127.0.0.1:6379/0',
      gone: { port: 1, host: '127.0.0.1', enableOfflineQueue: false, retryStrategy: () => null },
    });
    const flusher = t.broker.newFlusher();
    flusher.publish('there', 1);
    const error = (await flusher.flush().catch((e: unknown) => e)) as FlushError;
    expect(error).toMatchObject({ pools: ['gone'], unsent: 1 });
    expect(error.cause).toBeInstanceOf(Error);
    expect((error.cause as Error).message).not.toBe('no reply');
    expect((error.cause as Error).message.length).toBeGreaterThan(0);
  });

  it('clear() drops what is buffered; clearing during a flush keeps what was published after', async () => {
    t = open = createTestBroker(['s']);
    const flusher = t.broker.newFlusher();
    flusher.publish('s', 'dropped');
    flusher.clear();
    expect(flusher.size).toBe(0);
    expect(await flusher.flush()).toEqual([]);
    // A fresh flusher: its first flush starts sending at once (later ones queue behind it).
    const fresh = t.broker.newFlusher();
    fresh.publish('s', 'first');
    const flushing = fresh.flush();
    fresh.clear();
    fresh.publish('s', 'after');
    const [firstId] = await flushing;
    expect(fresh.size).toBe(1);
    const [afterId] = await fresh.flush();
    const entries = await t.admin.xrange(t.key('s'), '-', '+');
    expect(entries.map(([id]) => id)).toEqual([firstId, afterId]);
  });

  it('reports published events per stream, once per flush and once per publish', async () => {
    t = open = createTestBroker(['a', 'b']);
    const instrumentation = new FluxInstrumentation();
    const broker = new EventBroker(t.registry, pools(t), {}, instrumentation);
    const seen: [string, number][] = [];
    instrumentation.subscribe({ published: (stream, n) => void seen.push([stream, n]) });
    const flusher = broker.newFlusher();
    for (const stream of ['a', 'b', 'a', 'a']) flusher.publish(stream, 1);
    await flusher.flush();
    await broker.publish('b', 2);
    expect(seen).toEqual([
      ['a', 3],
      ['b', 1],
      ['b', 1],
    ]);
  });
});
