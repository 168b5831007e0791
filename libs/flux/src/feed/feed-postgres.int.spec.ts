import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PostgresEventStore } from '../event-store/postgres/postgres-event-store.js';
import {
  dropTestSchema,
  randomSchema,
  TEST_POSTGRES_URL,
} from '../event-store/postgres/postgres-test-support.js';
import { FeedConsumer } from './consumer/feed-consumer.js';
import { AccountCredited, appendCredits, type FeedApp, startFeedApp } from './feed.spec-helpers.js';
import { PostgresOffsetStore } from './offset-store/postgres-offset-store.js';

const quiet = { debug: vi.fn(), log: vi.fn(), warn: vi.fn(), error: vi.fn() };
const WRITERS = 4;
const APPENDS = 25;

/** The feed reads through `EventStore.readAll`: on PostgreSQL it serves the gap-safe log as is. */
describe('HTTP feed on the PostgreSQL event store', () => {
  const schema = randomSchema();
  let store: PostgresEventStore;
  let feed: FeedApp;
  let offsets: PostgresOffsetStore;
  const consumers: FeedConsumer[] = [];
  beforeAll(async () => {
    store = await PostgresEventStore.create({ url: TEST_POSTGRES_URL, schema, synchronize: true });
    feed = await startFeedApp({ feed: { pageSize: 20 }, store });
    offsets = new PostgresOffsetStore(TEST_POSTGRES_URL, `${schema}.feed_offsets`);
  });
  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    await feed?.app.close();
    await offsets?.close();
    await store?.close();
    await dropTestSchema(schema);
  });

  it('serves FeedEvents from PostgreSQL', async () => {
    const [first] = await appendCredits(store, 2, 'acc-pg');
    const res = await fetch(`${feed.feedUrl}?after=0&limit=1`);
    const body: any = await res.json();
    expect(body.events).toEqual([
      {
        event_id: first.eventId,
        url: `${feed.feedUrl}/${first.eventId}`,
        aggregate_id: 'acc-pg',
        aggregate_name: 'account',
        aggregate_version: 1,
        event_type: 'AccountCredited',
        position: 1,
        created: first.createdAt.toISOString(),
        data: { amount: 1 },
        metadata: {},
      },
    ]);
    expect(body.next).toContain('after=1');
    const one: any = await (await fetch(`${feed.feedUrl}/${first.eventId}`)).json();
    expect(one.position).toBe(1);
  });

  it.each(['poll', 'sse'] as const)(
    '%s consumers with PostgresOffsetStore see every event of concurrent writers once, in order',
    async (mode) => {
      const start = await store.lastPosition();
      const seen: number[] = [];
      const consumer = new FeedConsumer({
        url: feed.feedUrl,
        name: `pg-${mode}`,
        interval: 20,
        mode,
        events: [AccountCredited],
        offsetStore: offsets,
        backoff: { initial: 10, max: 100 },
        logger: quiet,
      });
      consumers.push(consumer);
      await offsets.save(`pg-${mode}`, start);
      consumer.start(async (_event, feedEvent) => void seen.push(feedEvent.position));
      await Promise.all(
        Array.from({ length: WRITERS }, async (_, w) => {
          for (let i = 0; i < APPENDS; i++)
            await appendCredits(store, 1 + (i % 3), `w${w}-${mode}`);
        }),
      );
      const last = await store.lastPosition();
      await vi.waitFor(() => expect(seen.at(-1)).toBe(last), { timeout: 20_000, interval: 50 });
      expect(seen).toEqual(Array.from({ length: last - start }, (_, i) => start + i + 1));
      await vi.waitFor(async () => expect(await offsets.get(`pg-${mode}`)).toBe(last), {
        timeout: 20_000,
      });
    },
  );
});
