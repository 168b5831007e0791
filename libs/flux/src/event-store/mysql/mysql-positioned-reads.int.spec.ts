import { randomUUID } from 'node:crypto';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlEventStore } from './mysql-event-store.js';
import { fluxTableNames } from './mysql-schema.js';
import { PASS_BATCH } from './mysql-statements.js';
import { dropTestTables, randomTablePrefix, TEST_MYSQL_URL } from './mysql-test-support.js';

/**
 * Rows committed without a position (by an older writer, or one that died before its pass) are
 * inserted here directly, the way such a writer leaves them; reads must only ever hand out
 * positioned events, and run a pass only when it can change what they return.
 */
describe('MysqlEventStore reads over rows committed without a position', () => {
  const tablePrefix = randomTablePrefix();
  const tables = fluxTableNames(tablePrefix);
  let store: MysqlEventStore;
  let sql: mysql.Connection;
  beforeAll(async () => {
    store = await MysqlEventStore.create({ url: TEST_MYSQL_URL, synchronize: true, tablePrefix });
    sql = await mysql.createConnection(TEST_MYSQL_URL);
  });
  afterAll(async () => {
    await Promise.all([store?.close(), sql?.end()]);
    await dropTestTables(tablePrefix);
  });

  /** Commits `count` unpositioned events of `aggregateId`, versions from..from+count-1. */
  async function orphans(aggregateId: string, from: number, count: number): Promise<void> {
    await sql.query(
      `INSERT INTO ${tables.events} (event_id, aggregate_id, aggregate_name, version, type, data, metadata, created_at)
       SELECT UUID(), ?, 'account', ? + seq - 1, 'Orphan', JSON_OBJECT('n', seq), '{}', NOW(3)
       FROM seq_1_to_${count} ORDER BY seq`,
      [aggregateId, from],
    );
  }

  const unpositioned = async (aggregateId: string): Promise<number> => {
    const [[row]] = await sql.query<mysql.RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM ${tables.events} WHERE aggregate_id = ? AND position IS NULL`,
      [aggregateId],
    );
    return Number(row.n);
  };

  const append = (aggregateId: string, expectedVersion: number, n = 1) =>
    store.append(
      aggregateId,
      Array.from({ length: n }, (_, i) => ({ type: 'T', data: { i } })),
      { expectedVersion, aggregateName: 'account' },
    );

  it('a page the limit fills runs no pass; a page with room positions what is waiting', async () => {
    const before = await store.lastPosition();
    const agg = `full-${randomUUID()}`;
    await append(agg, 0, 3);
    const orphan = `orphan-${randomUUID()}`;
    await orphans(orphan, 1, 1);

    const full = await store.readAll({ after: before, limit: 3 });
    expect(full.map((e) => [e.aggregateId, e.version])).toEqual([
      [agg, 1],
      [agg, 2],
      [agg, 3],
    ]);
    expect(await unpositioned(orphan)).toBe(1);

    const more = await store.readAll({ after: before, limit: 5 });
    expect(more.map((e) => [e.aggregateId, e.version, e.position])).toEqual([
      [agg, 1, before + 1],
      [agg, 2, before + 2],
      [agg, 3, before + 3],
      [orphan, 1, before + 4],
    ]);
    expect(await unpositioned(orphan)).toBe(0);
    expect(await store.readAll({ after: before + 4 })).toEqual([]);
  });

  it('a caught-up read without a limit positions what is waiting and returns it', async () => {
    const before = await store.lastPosition();
    const orphan = `orphan-${randomUUID()}`;
    await orphans(orphan, 1, 2);
    const log = await store.readAll({ after: before });
    expect(log.map((e) => [e.aggregateId, e.version, e.position])).toEqual([
      [orphan, 1, before + 1],
      [orphan, 2, before + 2],
    ]);
    expect(await store.lastPosition()).toBe(before + 2);
  });

  it('a stream read positions its unpositioned rows before handing them out', async () => {
    const agg = `stream-${randomUUID()}`;
    await append(agg, 0);
    const before = await store.lastPosition();
    await orphans(agg, 2, 2);
    const events = await store.readStream(agg);
    expect(events.map((e) => e.version)).toEqual([1, 2, 3]);
    expect(events.slice(1).map((e) => e.position)).toEqual([before + 1, before + 2]);
    expect(await unpositioned(agg)).toBe(0);
  });

  it('gives each pass its connection back: a one-connection store runs pass after pass', async () => {
    const single = await MysqlEventStore.create({ url: TEST_MYSQL_URL, tablePrefix, poolSize: 1 });
    try {
      for (let round = 0; round < 3; round++) {
        const before = await single.lastPosition();
        const orphan = `single-${round}-${randomUUID()}`;
        await orphans(orphan, 1, 1);
        const log = await single.readAll({ after: before });
        expect(log.map((e) => [e.aggregateId, e.position])).toEqual([[orphan, before + 1]]);
      }
    } finally {
      await single.close();
    }
  });

  it('returns a backlog its last pass clears whole', async () => {
    const before = await store.lastPosition();
    const agg = `cleared-${randomUUID()}`;
    const backlog = 2 * PASS_BATCH + 10;
    await orphans(agg, 1, backlog);
    const events = await store.readStream(agg);
    expect(events).toHaveLength(backlog);
    expect(events.at(-1)).toMatchObject({ version: backlog, position: before + backlog });
  }, 60_000);

  it(`cuts a read before the first row its passes (${PASS_BATCH} rows each) did not reach`, async () => {
    const before = await store.lastPosition();
    const agg = `backlog-${randomUUID()}`;
    const backlog = 3 * PASS_BATCH + 500;
    await orphans(agg, 1, backlog);
    const events = await store.readStream(agg);
    // Three passes, then the read settles for the positioned prefix, in version order.
    expect(events).toHaveLength(3 * PASS_BATCH);
    expect(events.every((e, i) => e.version === i + 1 && e.position === before + i + 1)).toBe(true);
    expect(await unpositioned(agg)).toBe(500);
    // The next read positions the rest.
    expect(await store.readStream(agg, { fromVersion: 3 * PASS_BATCH + 1 })).toHaveLength(500);
    expect(await store.lastPosition()).toBe(before + backlog);
  }, 60_000);
});
