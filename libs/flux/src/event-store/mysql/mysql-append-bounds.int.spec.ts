import mysql from 'mysql2/promise';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SerializationError } from '../../errors/serialization.error.js';
import type { AppendOptions, NewEvent } from '../event-store.types.js';
import { MysqlEventStore } from './mysql-event-store.js';
import { fluxTableNames } from './mysql-schema.js';
import { dropTestTables, randomTablePrefix, TEST_MYSQL_URL } from './mysql-test-support.js';

const as = (expectedVersion: number): AppendOptions => ({ expectedVersion, aggregateName: 'g' });

/** One event whose data and metadata are each 1008 bytes of JSON. */
const sized: NewEvent = {
  type: 'Tick',
  data: { s: 'x'.repeat(1000) },
  metadata: { m: 'y'.repeat(1000) },
};
/**
 * The store's estimate of one such append by aggregate `bytes-N` (7 characters): a row's
 * overhead (120) + aggregate id + aggregate name ('g') + type + data + metadata.
 */
const ESTIMATE = 120 + 7 + 1 + 4 + 1008 + 1008;

/**
 * A group is bounded by the byte estimate of its members. Two bounds, one on each side of the
 * estimate: exactly two appends (2 × estimate) and one byte short of three (3 × estimate − 1).
 * Both must give groups of two: an estimate any larger splits the first, any smaller lets three
 * into the second. The first append waits at the server for the sequence row lock the test
 * holds; the next four queue behind it and the second slot takes a group of them, which waits
 * too, where the test reads its row count off the UPDATE it is stuck on.
 */
describe.each([
  { label: 'two appends exactly', maxBytes: 2 * ESTIMATE },
  { label: 'one byte short of three appends', maxBytes: 3 * ESTIMATE - 1 },
])('MysqlEventStore group byte bound: $label', ({ maxBytes }) => {
  const tablePrefix = randomTablePrefix();
  const tables = fluxTableNames(tablePrefix);
  let store: MysqlEventStore;
  let holder: mysql.Connection;
  beforeAll(async () => {
    store = await MysqlEventStore.create({
      url: TEST_MYSQL_URL,
      synchronize: true,
      tablePrefix,
      groupCommit: { maxBytes, inFlight: 2 },
      queryTimeoutMs: 60_000,
    });
    holder = await mysql.createConnection(TEST_MYSQL_URL);
  });
  afterEach(() => holder?.query('ROLLBACK'));
  afterAll(async () => {
    await Promise.all([store?.close(), holder?.end()]);
    await dropTestTables(tablePrefix);
  });

  /** Row counts of the groups waiting at the server for the sequence row lock. */
  async function waitingGroups(): Promise<number[]> {
    const [rows] = await holder.query<mysql.RowDataPacket[]>(
      'SELECT info FROM information_schema.processlist WHERE id <> CONNECTION_ID() AND info LIKE ?',
      [`%UPDATE ${tables.sequence} SET last_position = LAST_INSERT_ID(last_position + %`],
    );
    return rows
      .map((r) => Number(/last_position \+ (\d+)\)/.exec(String(r.info))?.[1]))
      .sort((a, b) => a - b);
  }

  it('puts two appends in a group', async () => {
    await holder.query('START TRANSACTION');
    await holder.query(`SELECT last_position FROM ${tables.sequence} WHERE id = 1 FOR UPDATE`);
    const first = store.append('first', [{ type: 'Tick', data: {} }], as(0));
    await vi.waitFor(async () => expect(await waitingGroups()).toEqual([1]), {
      timeout: 20_000,
      interval: 20,
    });
    const queued = [1, 2, 3, 4].map((n) => store.append(`bytes-${n}`, [sized], as(0)));
    await vi.waitFor(async () => expect(await waitingGroups()).toHaveLength(2), {
      timeout: 20_000,
      interval: 20,
    });
    expect(await waitingGroups()).toEqual([1, 2]);
    await holder.query('COMMIT');

    await first;
    const stored = (await Promise.all(queued)).flat();
    expect(stored.map((e) => e.aggregateId)).toEqual(['bytes-1', 'bytes-2', 'bytes-3', 'bytes-4']);
    // The waiting group of two commits first; the last two appends form later groups, whose
    // order between themselves is not promised.
    const positions = stored.map((e) => e.position);
    expect(positions.slice(0, 2)).toEqual([2, 3]);
    expect(positions.slice(2).sort()).toEqual([4, 5]);
  });
});

/** Passes the up-front checks (no own function, no BigInt) but fails in `JSON.stringify`. */
class Refusing {
  toJSON(): never {
    throw new Error('refuses to be JSON');
  }
}

describe('MysqlEventStore append of data whose serialization throws', () => {
  const tablePrefix = randomTablePrefix();
  let store: MysqlEventStore;
  beforeAll(async () => {
    store = await MysqlEventStore.create({ url: TEST_MYSQL_URL, synchronize: true, tablePrefix });
  });
  afterAll(async () => {
    await store?.close();
    await dropTestTables(tablePrefix);
  });

  it.each([
    {
      at: 'data',
      events: [
        { type: 'Fine', data: {} },
        { type: 'Bad', data: { n: new Refusing() } },
      ],
      field: 'events[1].data (Bad)',
    },
    {
      at: 'metadata',
      events: [{ type: 'Bad', data: {}, metadata: { n: new Refusing() } }],
      field: 'events[0].metadata (Bad)',
    },
  ])('names the event and its $at in the SerializationError', async ({ events, field }) => {
    const error = await store.append('unserializable', events, as(0)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as SerializationError).field).toBe(field);
    expect((error as Error).message).toBe(`Cannot serialize ${field}: refuses to be JSON`);
    expect(await store.readStream('unserializable')).toEqual([]);
  });
});
