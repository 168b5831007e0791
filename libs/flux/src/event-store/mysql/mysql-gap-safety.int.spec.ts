import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../event-store.types.js';
import { MysqlEventStore } from './mysql-event-store.js';
import { dropTestTables, randomTablePrefix, TEST_MYSQL_URL } from './mysql-test-support.js';

const WRITERS = 16;
const EVENTS_PER_WRITER = 150;
const DEADLINE_MS = 60_000;

describe('MysqlEventStore global log under concurrent writers', () => {
  const tablePrefix = randomTablePrefix();
  let store: MysqlEventStore;
  let reader: MysqlEventStore;
  beforeAll(async () => {
    store = await MysqlEventStore.create({
      url: TEST_MYSQL_URL,
      synchronize: true,
      tablePrefix,
      poolSize: 16,
    });
    // A second store = a second process: its reads cannot lean on the writers' in-process state.
    reader = await MysqlEventStore.create({ url: TEST_MYSQL_URL, tablePrefix, poolSize: 2 });
  });
  afterAll(async () => {
    await Promise.all([store?.close(), reader?.close()]);
    await dropTestTables(tablePrefix);
  });

  it('shows a tailing reader every event exactly once, in position order, without gaps', async () => {
    const written: StoredEvent[] = [];
    let writing = true;
    const writers = Array.from({ length: WRITERS }, async (_, w) => {
      for (let n = 0, batch = 0; n < EVENTS_PER_WRITER; batch++) {
        const size = Math.min(1 + ((w + batch) % 5), EVENTS_PER_WRITER - n);
        const aggregateId = `writer-${w}-${batch % 7}`;
        const events = Array.from({ length: size }, (_, i) => ({
          type: 'Tick',
          data: { w, n: n + i },
        }));
        written.push(
          ...(await store.append(aggregateId, events, {
            expectedVersion: 'any',
            aggregateName: 'tick',
          })),
        );
        n += size;
      }
    });
    const done = Promise.all(writers).finally(() => (writing = false));

    const seen: StoredEvent[] = [];
    const started = Date.now();
    let after = 0;
    let pagesWhileWriting = 0;
    while (seen.length < WRITERS * EVENTS_PER_WRITER && Date.now() - started < DEADLINE_MS) {
      const page = await reader.readAll({ after, limit: 100 });
      if (writing) pagesWhileWriting++;
      for (const event of page) {
        expect(event.position).toBe(after + 1);
        after = event.position;
        seen.push(event);
      }
      if (page.length === 0 && !writing) await done;
    }
    await done;

    expect(pagesWhileWriting).toBeGreaterThan(1);
    expect(seen).toHaveLength(WRITERS * EVENTS_PER_WRITER);
    expect(new Set(seen.map((e) => e.eventId)).size).toBe(seen.length);
    const byId = new Map(written.map((e) => [e.eventId, e]));
    expect(seen.map((e) => byId.get(e.eventId))).toEqual(seen);
    expect(await reader.readAll({ after })).toEqual([]);
    for (const stream of new Set(seen.map((e) => e.aggregateId))) {
      const versions = seen.filter((e) => e.aggregateId === stream).map((e) => e.version);
      expect(versions).toEqual(versions.map((_, i) => i + 1));
    }
  });
});
