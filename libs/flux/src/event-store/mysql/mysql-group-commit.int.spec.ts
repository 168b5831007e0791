import mysql from 'mysql2/promise';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConcurrencyError } from '../../errors/concurrency.error.js';
import { SerializationError } from '../../errors/serialization.error.js';
import type { AppendOptions } from '../event-store.types.js';
import { MysqlEventStore } from './mysql-event-store.js';
import { fluxTableNames } from './mysql-schema.js';
import { dropTestTables, randomTablePrefix, TEST_MYSQL_URL } from './mysql-test-support.js';

const tick = (n: number) => [{ type: 'Tick', data: { n } }];
const as = (expectedVersion: number): AppendOptions => ({ expectedVersion, aggregateName: 'g' });

/**
 * Appends that queue while a group is in flight are committed together in the next group(s).
 * The sequence row lock is held from another connection so the first append waits at the
 * server while the others queue. With one group in flight and no size bound, all six queued
 * appends form one group; with the defaults they split over two groups in flight and the
 * oversized append goes alone.
 */
describe.each([
  {
    label: 'one group holding them all',
    groupCommit: { maxBytes: 1 << 30, inFlight: 1 },
  },
  { label: 'the default bounds', groupCommit: undefined },
])('MysqlEventStore group commit, $label', ({ groupCommit }) => {
  const tablePrefix = randomTablePrefix();
  const tables = fluxTableNames(tablePrefix);
  let store: MysqlEventStore;
  let holder: mysql.Connection;
  let maxPacket: number;
  beforeAll(async () => {
    store = await MysqlEventStore.create({
      url: TEST_MYSQL_URL,
      synchronize: true,
      tablePrefix,
      groupCommit,
      // The first append waits for the lock while the test polls; a loaded machine is slow.
      queryTimeoutMs: 60_000,
    });
    holder = await mysql.createConnection(TEST_MYSQL_URL);
    const [[row]] = await holder.query<mysql.RowDataPacket[]>('SELECT @@max_allowed_packet AS max');
    maxPacket = Number(row.max);
  });
  afterEach(() => holder?.query('ROLLBACK'));
  afterAll(async () => {
    await Promise.all([store?.close(), holder?.end()]);
    await dropTestTables(tablePrefix);
  });

  /** Holds the sequence row lock until the returned function is called. */
  async function holdSequenceLock(): Promise<() => Promise<void>> {
    await holder.query('START TRANSACTION');
    await holder.query(`SELECT last_position FROM ${tables.sequence} WHERE id = 1 FOR UPDATE`);
    return async () => void (await holder.query('COMMIT'));
  }

  /** The store's packet is at the server, stopped at the sequence row lock the test holds. */
  async function waitUntilAnAppendWaitsForTheLock(): Promise<void> {
    const locking = `%UPDATE ${tables.sequence} SET last_position = LAST_INSERT_ID(%`;
    await vi.waitFor(
      async () => {
        const [rows] = await holder.query<mysql.RowDataPacket[]>(
          'SELECT 1 FROM information_schema.processlist WHERE id <> CONNECTION_ID() AND info LIKE ?',
          [locking],
        );
        expect(rows).toHaveLength(1);
      },
      { timeout: 20_000, interval: 20 },
    );
  }

  it('commits exactly the valid appends of a group holding a conflict, an oversized event and a duplicate aggregate', async () => {
    await store.append('conflicted', [...tick(1), ...tick(2)], as(0));
    const release = await holdSequenceLock();
    const first = store.append('first', tick(0), as(0));
    await waitUntilAnAppendWaitsForTheLock();

    const settled = Promise.allSettled([
      store.append('valid-a', tick(1), as(0)),
      store.append('conflicted', tick(3), as(1)), // the stream is at 2: a conflict
      store.append('big', [{ type: 'Big', data: { blob: 'x'.repeat(maxPacket + 1024) } }], as(0)),
      store.append('twice', tick(1), as(0)),
      store.append('twice', tick(2), as(0)), // the first of the two takes version 1
      store.append('valid-b', tick(1), as(0)),
    ]);
    await release();
    const [validA, conflicted, big, twice1, twice2, validB] = await settled;

    await expect(first).resolves.toHaveLength(1);
    expect(validA.status).toBe('fulfilled');
    expect(validB.status).toBe('fulfilled');
    expect(conflicted).toMatchObject({ status: 'rejected', reason: expect.any(ConcurrencyError) });
    expect(big).toMatchObject({ status: 'rejected', reason: expect.any(SerializationError) });
    // Two groups may be in flight at once: which of the two appends wins is the server's call.
    const [won, lost] = twice1.status === 'fulfilled' ? [twice1, twice2] : [twice2, twice1];
    expect(won.status).toBe('fulfilled');
    expect(lost).toMatchObject({ status: 'rejected', reason: expect.any(ConcurrencyError) });

    const log = await store.readAll();
    expect(log.map((e) => e.position)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(log.map((e) => `${e.aggregateId}@${e.version}`).sort()).toEqual(
      ['conflicted@1', 'conflicted@2', 'first@1', 'twice@1', 'valid-a@1', 'valid-b@1'].sort(),
    );
    const stored = (r: PromiseSettledResult<unknown>) =>
      r.status === 'fulfilled' ? (r.value as { eventId: string }[]) : [];
    const returned = [validA, won, validB].flatMap(stored);
    for (const event of returned) {
      expect(log.find((e) => e.eventId === event.eventId)).toEqual(event);
    }
    expect(await store.readStream('big')).toEqual([]);
    expect(await store.readStream('conflicted')).toHaveLength(2);
  });
});
