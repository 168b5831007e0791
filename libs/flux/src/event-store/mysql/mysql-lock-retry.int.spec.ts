import mysql from 'mysql2/promise';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { MysqlAppender } from './mysql-appender.js';
import { createStorePool } from './mysql-connection.js';
import { parseMysqlUrl } from './mysql-event-store.options.js';
import { MysqlGroupCommitter } from './mysql-group-commit.js';
import { ensureFluxTables } from './mysql-schema.js';
import { MysqlSequencer, positionKey } from './mysql-sequencer.js';
import { MysqlStatements } from './mysql-statements.js';
import { dropTestTables, randomTablePrefix, TEST_MYSQL_URL } from './mysql-test-support.js';
import { StreamVersionCache } from './stream-version-cache.js';

const WAIT = { timeout: 30_000, interval: 20 };
const codeOf = (error: unknown) => (error as { code?: string }).code;

/**
 * Lock errors on the real server. A second connection holds the sequence row lock
 * (`SELECT … FOR UPDATE`) while the store's connections, whose sessions wait at most one second
 * for a lock (`innodb_lock_wait_timeout = 1`), try to take it: each attempt fails with
 * ER_LOCK_WAIT_TIMEOUT (1205) until the holder commits. One case makes a real deadlock (1213).
 */
describe('MySQL store on lock errors', () => {
  const prefix = randomTablePrefix();
  const statements = new MysqlStatements(prefix);
  const t = statements.tables;
  let pool: mysql.Pool;
  let holder: mysql.Connection;
  let side: mysql.Connection;

  beforeAll(async () => {
    pool = await createStorePool(parseMysqlUrl(TEST_MYSQL_URL), {
      poolSize: 1,
      connectTimeoutMs: 10_000,
    });
    pool.pool.on('connection', (connection) => {
      connection.query('SET SESSION innodb_lock_wait_timeout = 1', () => undefined);
    });
    holder = await mysql.createConnection(TEST_MYSQL_URL);
    side = await mysql.createConnection(TEST_MYSQL_URL);
    await ensureFluxTables(prefix, (sql) => side.query(sql));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await holder.query('ROLLBACK');
  });
  afterAll(async () => {
    await Promise.all([pool?.end(), holder?.end(), side?.end()]);
    await dropTestTables(prefix);
  });

  async function holdSequenceLock(): Promise<() => Promise<void>> {
    await holder.query('START TRANSACTION');
    await holder.query(`SELECT last_position FROM ${t.sequence} WHERE id = 1 FOR UPDATE`);
    return async () => void (await holder.query('COMMIT'));
  }

  /** Rows committed without a position, as an older writer or a writer that died leaves them. */
  async function insertUnpositioned(aggregateId: string, count: number): Promise<void> {
    for (let v = 1; v <= count; v++) {
      await side.query(
        `INSERT INTO ${t.events} (position, event_id, aggregate_id, aggregate_name, version, type, data, metadata, created_at) ` +
          `VALUES (NULL, UUID(), ?, 'g', ?, 'Tick', '{}', '{}', NOW(3))`,
        [aggregateId, v],
      );
    }
  }

  async function rowsOf(aggregateId: string): Promise<{ version: number; position: number }[]> {
    const [rows] = await side.query<mysql.RowDataPacket[]>(
      `SELECT version, position FROM ${t.events} WHERE aggregate_id = ? ORDER BY version`,
      [aggregateId],
    );
    return rows.map((r) => ({ version: r.version, position: Number(r.position) }));
  }

  function appender(): { appender: MysqlAppender; failures: unknown[] } {
    const sequencer = new MysqlSequencer(pool, statements);
    const committer = new MysqlGroupCommitter(pool, statements);
    const failures: unknown[] = [];
    const commit = committer.commit.bind(committer);
    vi.spyOn(committer, 'commit').mockImplementation((member) =>
      commit(member).catch((error: unknown) => {
        failures.push(error);
        throw error;
      }),
    );
    const cache = new StreamVersionCache();
    return {
      appender: new MysqlAppender(pool, statements, sequencer, committer, cache),
      failures,
    };
  }

  it('runs a group commit again after a lock wait timeout and stores its events once', async () => {
    const { appender: store, failures } = appender();
    const release = await holdSequenceLock();
    const append = store.append('retried', [{ type: 'Tick', data: { n: 1 } }], {
      expectedVersion: 0,
      aggregateName: 'g',
    });
    await vi.waitFor(() => expect(failures.length).toBeGreaterThanOrEqual(1), WAIT);
    await release();

    const [stored] = await append;
    expect(failures.map(codeOf).every((code) => code === 'ER_LOCK_WAIT_TIMEOUT')).toBe(true);
    expect(failures.length).toBeLessThan(5);
    expect(stored).toMatchObject({ aggregateId: 'retried', version: 1, data: { n: 1 } });
    expect(await rowsOf('retried')).toEqual([{ version: 1, position: stored.position }]);
  });

  it('gives up after five lock wait timeouts with the server error, having stored nothing', async () => {
    const { appender: store, failures } = appender();
    const release = await holdSequenceLock();
    const append = store.append('starved', [{ type: 'Tick', data: { n: 1 } }], {
      expectedVersion: 0,
      aggregateName: 'g',
    });
    const outcome = await append.then(
      () => 'stored',
      (error: unknown) => codeOf(error),
    );
    await release();

    expect(outcome).toBe('ER_LOCK_WAIT_TIMEOUT');
    expect(failures).toHaveLength(5);
    expect(await rowsOf('starved')).toEqual([]);
  }, 60_000);

  it('runs a group commit again after InnoDB chose it as a deadlock victim', async () => {
    // A pool that waits for locks as long as the server's default: only the deadlock fails it.
    const patient = await createStorePool(parseMysqlUrl(TEST_MYSQL_URL), {
      poolSize: 1,
      connectTimeoutMs: 10_000,
    });
    try {
      const committer = new MysqlGroupCommitter(patient, statements);
      const failures: unknown[] = [];
      const commit = committer.commit.bind(committer);
      vi.spyOn(committer, 'commit').mockImplementation((member) =>
        commit(member).catch((error: unknown) => {
          failures.push(error);
          throw error;
        }),
      );
      const sequencer = new MysqlSequencer(patient, statements);
      const store = new MysqlAppender(
        patient,
        statements,
        sequencer,
        committer,
        new StreamVersionCache(),
      );
      // The other transaction: heavier (more rows written, so InnoDB rolls the group back, not
      // it), holding an uncommitted row at the version the group inserts.
      await holder.query('START TRANSACTION');
      for (let v = 1; v <= 20; v++) {
        await holder.query(
          `INSERT INTO ${t.events} (position, event_id, aggregate_id, aggregate_name, version, type, data, metadata, created_at) ` +
            `VALUES (NULL, UUID(), 'heavy', 'g', ?, 'Tick', '{}', '{}', NOW(3))`,
          [v],
        );
      }
      await holder.query(
        `INSERT INTO ${t.events} (position, event_id, aggregate_id, aggregate_name, version, type, data, metadata, created_at) ` +
          `VALUES (NULL, UUID(), 'deadlocked', 'g', 1, 'Tick', '{}', '{}', NOW(3))`,
      );
      const append = store.append('deadlocked', [{ type: 'Tick', data: { n: 1 } }], {
        expectedVersion: 0,
        aggregateName: 'g',
      });
      // The group holds the sequence row and waits for the holder's row at version 1.
      await vi.waitFor(async () => {
        const [rows] = await side.query<mysql.RowDataPacket[]>(
          'SELECT 1 FROM information_schema.processlist WHERE id NOT IN (?, CONNECTION_ID()) AND info LIKE ?',
          [holder.threadId, `INSERT INTO ${t.events} %`],
        );
        expect(rows).toHaveLength(1);
      }, WAIT);
      // Now the holder wants the sequence row: each waits for the other.
      await holder.query(`SELECT last_position FROM ${t.sequence} WHERE id = 1 FOR UPDATE`);
      await holder.query('ROLLBACK');

      const [stored] = await append;
      expect(failures.map(codeOf)).toEqual(['ER_LOCK_DEADLOCK']);
      expect(stored).toMatchObject({ aggregateId: 'deadlocked', version: 1, data: { n: 1 } });
      expect(await rowsOf('deadlocked')).toEqual([{ version: 1, position: stored.position }]);
      expect(await rowsOf('heavy')).toEqual([]);
    } finally {
      await patient.end();
    }
  });

  it('runs a sequencer pass again after a lock wait timeout', async () => {
    const [[before]] = await pool.query<mysql.RowDataPacket[]>('SELECT CONNECTION_ID() AS id');
    await insertUnpositioned('late', 2);
    const sequencer = new MysqlSequencer(pool, statements);
    const connections = vi.spyOn(pool, 'getConnection');
    const release = await holdSequenceLock();
    const pass = sequencer.sequence();
    // A second connection is taken only once the first attempt failed.
    await vi.waitFor(() => expect(connections.mock.calls.length).toBeGreaterThanOrEqual(2), WAIT);
    await release();

    const assigned = await pass;
    expect(connections.mock.calls.length).toBeLessThan(5);
    const rows = await rowsOf('late');
    expect(rows.every((r) => r.position > 0)).toBe(true);
    expect(assigned.get(positionKey('late', 1))).toBe(rows[0].position);
    expect(assigned.get(positionKey('late', 2))).toBe(rows[1].position);
    // Both the failed and the successful attempt gave the connection back to the pool.
    const [[after]] = await pool.query<mysql.RowDataPacket[]>('SELECT CONNECTION_ID() AS id');
    expect(after.id).toBe(before.id);
  });

  it('gives up a pass after five lock wait timeouts, rolling each back on a connection it keeps', async () => {
    const [[before]] = await pool.query<mysql.RowDataPacket[]>('SELECT CONNECTION_ID() AS id');
    await insertUnpositioned('starved-pass', 1);
    const sequencer = new MysqlSequencer(pool, statements);
    const connections = vi.spyOn(pool, 'getConnection');
    const release = await holdSequenceLock();
    const outcome = await sequencer.sequence().then(
      () => 'positioned',
      (error: unknown) => codeOf(error),
    );

    expect(outcome).toBe('ER_LOCK_WAIT_TIMEOUT');
    expect(connections).toHaveBeenCalledTimes(5);
    // The failed pass's transaction was rolled back and the connection went back to the pool.
    const [[after]] = await pool.query<mysql.RowDataPacket[]>('SELECT CONNECTION_ID() AS id');
    expect(after.id).toBe(before.id);
    const [open] = await side.query<mysql.RowDataPacket[]>(
      'SELECT trx_id FROM information_schema.innodb_trx WHERE trx_mysql_thread_id = ?',
      [after.id],
    );
    expect(open).toEqual([]);
    await release();
    expect(await rowsOf('starved-pass')).toEqual([{ version: 1, position: 0 }]);
  }, 60_000);
});

/**
 * Concurrent callers of `sequence()` while a pass runs share the one pass that starts after it
 * (the sequence row is held from another connection so the first pass stays in flight).
 */
describe('MysqlSequencer coalescing', () => {
  const prefix = randomTablePrefix();
  const statements = new MysqlStatements(prefix);
  const t = statements.tables;
  let pool: mysql.Pool;
  let holder: mysql.Connection;
  let side: mysql.Connection;

  beforeAll(async () => {
    pool = await createStorePool(parseMysqlUrl(TEST_MYSQL_URL), {
      poolSize: 4,
      connectTimeoutMs: 10_000,
    });
    holder = await mysql.createConnection(TEST_MYSQL_URL);
    side = await mysql.createConnection(TEST_MYSQL_URL);
    await ensureFluxTables(prefix, (sql) => side.query(sql));
  });
  beforeEach(() => vi.restoreAllMocks());
  afterAll(async () => {
    await Promise.all([pool?.end(), holder?.end(), side?.end()]);
    await dropTestTables(prefix);
  });

  const insert = (aggregateId: string) =>
    side.query(
      `INSERT INTO ${t.events} (position, event_id, aggregate_id, aggregate_name, version, type, data, metadata, created_at) ` +
        `VALUES (NULL, UUID(), ?, 'g', 1, 'Tick', '{}', '{}', NOW(3))`,
      [aggregateId],
    );

  /** Holds the sequence row, starts a pass and returns it once it waits at the server for it. */
  async function startHeldPass(sequencer: MysqlSequencer) {
    await holder.query('START TRANSACTION');
    await holder.query(`SELECT last_position FROM ${t.sequence} WHERE id = 1 FOR UPDATE`);
    const pass = sequencer.sequence();
    await vi.waitFor(async () => {
      const [rows] = await side.query<mysql.RowDataPacket[]>(
        'SELECT 1 FROM information_schema.processlist WHERE id NOT IN (?, CONNECTION_ID()) AND info LIKE ?',
        [holder.threadId, `%FROM ${t.sequence} WHERE id = 1 FOR UPDATE%`],
      );
      expect(rows).toHaveLength(1);
    }, WAIT);
    return { pass };
  }

  it('makes every caller during a pass share the single pass after it, then starts afresh', async () => {
    await insert('a');
    const connections = vi.spyOn(pool, 'getConnection');
    const sequencer = new MysqlSequencer(pool, statements);
    const first = await startHeldPass(sequencer);
    // Committed while the first pass waits: only a pass that starts after it may be trusted.
    await insert('b');
    const second = sequencer.sequence();
    const third = sequencer.sequence();
    expect(third).toBe(second);
    await holder.query('COMMIT');

    const [a, b] = await Promise.all([first.pass, second]);
    expect(await third).toBe(b);
    expect(connections).toHaveBeenCalledTimes(2);
    const positioned = new Map([...a, ...b]);
    expect([...positioned.keys()].sort()).toEqual([positionKey('a', 1), positionKey('b', 1)]);

    // Nothing in flight: the next caller gets a pass of its own.
    await insert('c');
    const fourth = await sequencer.sequence();
    expect(connections).toHaveBeenCalledTimes(3);
    expect([...fourth.keys()]).toEqual([positionKey('c', 1)]);

    // A caller during a later pass gets a new pass too, not the one shared before.
    const fifth = await startHeldPass(sequencer);
    await insert('d');
    const sixth = sequencer.sequence();
    expect(sixth).not.toBe(second);
    await holder.query('COMMIT');
    // 'd' went in before the held pass took the lock, so that pass may position it already.
    const later = new Map([...(await fifth.pass), ...(await sixth)]);
    expect([...later.keys()]).toEqual([positionKey('d', 1)]);
    expect(await sixth).not.toBe(b);
    expect(connections).toHaveBeenCalledTimes(5);
  });
});
