import { fluxTableNames, type FluxTableNames } from './mysql-schema.js';

/**
 * Rows a sequencer pass positions at most; a larger backlog takes several passes.
 * @internal
 */
export const PASS_BATCH = 5_000;

/** Group sizes whose INSERT text is kept. */
const CACHED_GROUP_SIZES = 64;

const EVENT_COLUMNS =
  'position, event_id, aggregate_id, aggregate_name, version, type, data, metadata, created_at';

/**
 * The store's SQL for one table prefix, built once: the hot path only concatenates.
 * @internal
 */
export class MysqlStatements {
  readonly tables: FluxTableNames;
  readonly selectStream: string;
  readonly selectAll: string;
  readonly selectEvent: string;
  readonly selectHead: string;
  readonly selectPositions: string;
  readonly hasUnsequenced: string;
  readonly lastPosition: string;
  readonly replaceSnapshot: string;
  readonly selectSnapshot: string;
  /**
   * One sequencer pass, sent as a single packet so the sequence row lock is never held across a
   * client round trip. READ COMMITTED: the pass reads only committed rows without gap locks, so
   * writers inserting meanwhile neither wait for it nor get sequenced half-written.
   */
  readonly pass: string;
  /** `insertGroup` texts of small groups, by row count: the common sizes are built once. */
  private readonly groups = new Map<number, string>();

  constructor(prefix: string) {
    const t = (this.tables = fluxTableNames(prefix));
    this.selectStream = `SELECT ${EVENT_COLUMNS} FROM ${t.events} WHERE aggregate_id = ? AND version >= ? ORDER BY version`;
    this.selectAll = `SELECT ${EVENT_COLUMNS} FROM ${t.events} WHERE position > ? ORDER BY position`;
    this.selectEvent = `SELECT ${EVENT_COLUMNS} FROM ${t.events} WHERE event_id = ?`;
    this.selectHead = `SELECT aggregate_name, version FROM ${t.events} WHERE aggregate_id = ? ORDER BY version DESC LIMIT 1`;
    this.selectPositions = `SELECT version, position FROM ${t.events} WHERE aggregate_id = ? AND version BETWEEN ? AND ?`;
    this.hasUnsequenced = `SELECT 1 AS pending FROM ${t.events} WHERE position IS NULL LIMIT 1`;
    this.lastPosition =
      `SELECT s.last_position AS last, EXISTS(SELECT 1 FROM ${t.events} WHERE position IS NULL) AS pending ` +
      `FROM ${t.sequence} s WHERE s.id = 1`;
    this.replaceSnapshot = `REPLACE INTO ${t.snapshots} (aggregate_name, aggregate_id, version, schema_version, state, created_at) VALUES (?, ?, ?, ?, ?, ?)`;
    this.selectSnapshot = `SELECT version, schema_version, state, created_at FROM ${t.snapshots} WHERE aggregate_name = ? AND aggregate_id = ?`;
    this.pass = [
      'SET @flux_last = NULL, @flux_count = 0',
      'SET TRANSACTION ISOLATION LEVEL READ COMMITTED',
      'START TRANSACTION',
      `SELECT last_position INTO @flux_last FROM ${t.sequence} WHERE id = 1 FOR UPDATE`,
      `UPDATE ${t.events} e JOIN (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS rn FROM ${t.events} ` +
        `WHERE position IS NULL ORDER BY id LIMIT ${PASS_BATCH}) s ON e.id = s.id SET e.position = @flux_last + s.rn`,
      'SET @flux_count = ROW_COUNT()',
      `UPDATE ${t.sequence} SET last_position = @flux_last + @flux_count WHERE id = 1 AND @flux_count > 0`,
      'COMMIT',
      `SELECT aggregate_id, version, position FROM ${t.events} ` +
        'WHERE position > @flux_last AND position <= @flux_last + @flux_count',
    ].join(';\n');
  }

  /**
   * One group commit: the events of every append in the group in one multi-row INSERT, their
   * positions handed out under the sequence row lock held until the same commit, so they become
   * visible all at once (gap-safe, like a pass). One packet, so the lock is never held across a
   * client round trip; one transaction and one log flush for the whole group. Four statements:
   * the UPDATE takes the lock and moves the sequence in one go, `LAST_INSERT_ID(expr)` keeps the
   * new last position for the INSERT (which reads the previous statement's value on every row)
   * and returns it in the UPDATE's OK packet (its `insertId`), so no SELECT is needed. Row `i`
   * gets position `last - count + i + 1`. READ COMMITTED is the session's level (see
   * `createStorePool`): no gap locks, so a duplicate key fails fast instead of waiting.
   */
  insertGroup(count: number): string {
    let sql = this.groups.get(count);
    if (sql === undefined) {
      const t = this.tables;
      const rows = Array.from(
        { length: count },
        (_, i) => `(LAST_INSERT_ID() - ${count - 1 - i}, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      sql = [
        'START TRANSACTION',
        `UPDATE ${t.sequence} SET last_position = LAST_INSERT_ID(last_position + ${count}) WHERE id = 1`,
        `INSERT INTO ${t.events} (${EVENT_COLUMNS}) VALUES ${rows.join(', ')}`,
        'COMMIT',
      ].join(';\n');
      if (count <= CACHED_GROUP_SIZES) this.groups.set(count, sql);
    }
    return sql;
  }
}
