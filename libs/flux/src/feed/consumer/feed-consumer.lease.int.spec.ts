import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { REDIS_URL } from '../../broker/broker.spec-helpers.js';
import {
  AccountCredited,
  appendCredits,
  type FeedApp,
  startFeedApp,
} from '../feed.spec-helpers.js';
import { RedisOffsetStore } from '../offset-store/redis-offset-store.js';
import { FeedConsumer } from './feed-consumer.js';

const quiet = { debug: vi.fn(), log: vi.fn(), warn: vi.fn(), error: vi.fn() };
const redis = new Redis(REDIS_URL);
const prefix = `flux-test:${randomBytes(6).toString('hex')}:offset:`;

describe('FeedConsumer replicas sharing an offset store', () => {
  const consumers: FeedConsumer[] = [];
  const clients: Redis[] = [];
  let feed: FeedApp | undefined;
  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
    await feed?.app.close();
    for (const client of clients.splice(0)) client.disconnect();
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  /** One replica: its own consumer instance on the shared Redis offset store. */
  const replica = (seen: Array<{ position: number; by: number }>, by: number) => {
    const client = new Redis(REDIS_URL);
    clients.push(client);
    const c = new FeedConsumer({
      url: feed!.feedUrl,
      name: 'balances',
      interval: 20,
      mode: 'poll',
      events: [AccountCredited],
      offsetStore: new RedisOffsetStore(client, prefix),
      backoff: { initial: 10, max: 100 },
      leaseTtl: 1_000,
      logger: quiet,
    });
    consumers.push(c);
    c.start(async (_event, feedEvent) => void seen.push({ position: feedEvent.position, by }));
    return c;
  };

  it('one replica follows the feed; the other takes over where it stopped, on close and on a lost lease', async () => {
    feed = await startFeedApp({ feed: { pageSize: 10 } });
    const seen: Array<{ position: number; by: number }> = [];
    const replicas = [replica(seen, 0), replica(seen, 1)];
    await vi.waitFor(
      () => expect(replicas.map((r) => r.status().lease).sort()).toEqual(['held', 'standby']),
      {
        timeout: 20_000,
      },
    );
    const first = replicas.findIndex((r) => r.status().lease === 'held');
    const second = 1 - first;
    expect(replicas[second].status()).toMatchObject({ state: 'running', lease: 'standby' });

    await appendCredits(feed.store, 5);
    await vi.waitFor(() => expect(seen).toHaveLength(5), { timeout: 20_000 });
    expect(new Set(seen.map((s) => s.by))).toEqual(new Set([first]));

    // A graceful stop frees the lease: the stand-by resumes from the stored offset.
    await replicas[first].stop();
    await appendCredits(feed.store, 3);
    await vi.waitFor(() => expect(seen).toHaveLength(8), { timeout: 20_000 });
    expect(seen.map((s) => s.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(seen.slice(5).every((s) => s.by === second)).toBe(true);
    expect(replicas[second].status().lease).toBe('held');

    // The lease taken away (as after a pause longer than leaseTtl): the holder stands by.
    await redis.set(`${prefix}balances:lease`, 'another-replica#1', 'PX', 60_000);
    await vi.waitFor(() => expect(replicas[second].status().lease).toBe('standby'), {
      timeout: 20_000,
    });
    await appendCredits(feed.store, 2);
    await redis.del(`${prefix}balances:lease`); // the other holder went away
    await vi.waitFor(() => expect(seen).toHaveLength(10), { timeout: 20_000 });
    expect(seen.map((s) => s.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(await new RedisOffsetStore(redis, prefix).get('balances')).toBe(10);
  });
});
