import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { REDIS_URL, createTestBroker, waitFor, type TestBroker } from '../broker.spec-helpers.js';
import { FlushError } from '../errors/flush.error.js';
import { freePort } from '../../../../../test/support/free-port.js';
import { startRedisServer, stopRedisServer } from '../../../../../test/support/redis-server.js';

describe('EventFlusher', () => {
  let t: TestBroker;
  let server: ChildProcess | undefined;
  afterEach(async () => {
    await t.close();
    if (server) await stopRedisServer(server);
    server = undefined;
  });

  it('sends one pipeline per pool and returns ids in publish order', async () => {
    t = createTestBroker([{ name: 'a' }, { name: 'b', pool: 'second' }], {
      default: `${REDIS_URL}/0`,
      second: `${REDIS_URL}/1`,
    });
    const flusher = t.broker.newFlusher();
    expect(await flusher.flush()).toEqual([]);
    for (let i = 0; i < 6; i++) flusher.publish(i % 2 ? 'b' : 'a', { i }, { i: String(i) });
    expect(flusher.size).toBe(6);
    const ids = await flusher.flush();
    expect(flusher.size).toBe(0);
    const db1 = new Redis(`${REDIS_URL}/1`);
    try {
      const inA = (await t.admin.xrange(t.key('a'), '-', '+')).map(([id]) => id);
      const inB = (await db1.xrange(t.key('b'), '-', '+')).map(([id]) => id);
      expect(ids).toEqual([inA[0], inB[0], inA[1], inB[1], inA[2], inB[2]]);
      expect(await t.admin.exists(t.key('b'))).toBe(0); // b lives in db 1 only
    } finally {
      db1.disconnect();
    }
    expect(await flusher.flush()).toEqual([]); // flushed events are gone
  });

  it('keeps what a failed flush did not send and never sends an event twice', async () => {
    const port = await freePort();
    t = createTestBroker([{ name: 'ok' }, { name: 'far', pool: 'far' }], {
      default: `${REDIS_URL}/0`,
      // Fail at once instead of queueing while the server is down.
      far: { port, host: '127.0.0.1', enableOfflineQueue: false, retryStrategy: () => 50 },
    });
    const flusher = t.broker.newFlusher();
    const order = ['ok', 'far', 'ok', 'far', 'ok'];
    order.forEach((stream, i) => flusher.publish(stream, i));
    const error = await flusher.flush().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlushError);
    expect(error).toMatchObject({ pools: ['far'], unsent: 2 });
    expect(flusher.size).toBe(5);
    expect(await t.admin.xlen(t.key('ok'))).toBe(3); // the healthy pool's events went out

    server = await startRedisServer(port);
    let ids: string[] = [];
    await waitFor(async () => {
      ids = await flusher.flush().catch(() => []);
      return ids.length > 0;
    }, 10_000);
    expect(ids).toHaveLength(5);
    expect(await t.admin.xlen(t.key('ok'))).toBe(3); // not sent again
    const far = new Redis({ port });
    try {
      const farIds = (await far.xrange(t.key('far'), '-', '+')).map(([id]) => id);
      const okIds = (await t.admin.xrange(t.key('ok'), '-', '+')).map(([id]) => id);
      expect(ids).toEqual([okIds[0], farIds[0], okIds[1], farIds[1], okIds[2]]);
    } finally {
      far.disconnect();
    }
    expect(flusher.size).toBe(0);
  });
});
