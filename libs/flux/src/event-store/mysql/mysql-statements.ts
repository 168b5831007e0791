import { fluxTableNames, type FluxTableNames } from './mysql-schema.js';

/** Rows a sequencer pass positions at most; a larger backlog takes several passes. */
export const PASS_BATCH = 5_000;

const EVENT_COLUMNS =
  'position, event_id, aggregate_id, aggregate_name, version, type, data, metadata, created_at';
const INSERT_ROW = '(?, ?, ?, ?, ?, ?, ?, ?)';

/** The store's SQL for one table prefix, built once: the hot path only concatenates. */
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
  private readonly passParts: string[];
  private readonly insertHead: string;

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
    this.insertHead = `INSERT INTO ${t.events} (event_id, aggregate_id, aggregate_name, version, type, data, metadata, created_at) VALUES `;
    this.passParts = [
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
    ];
    this.pass = this.passParts.join(';\n');
  }

  /**
   * The INSERT and the pass in one transaction: one commit (one log flush) per append instead of
   * two. Still gap-safe: positions are assigned under the sequence row lock and become visible
   * with the same commit that releases it, so the next pass can only assign higher ones.
   */
  insertAndPass(insertSql: string): string {
    const parts = [...this.passParts];
    parts.splice(parts.indexOf('START TRANSACTION') + 1, 0, insertSql);
    return parts.join(';\n');
  }

  /** A multi-row INSERT of `count` events; one statement, so it stores all rows or none. */
  insert(count: number): string {
    return this.insertHead + new Array<string>(count).fill(INSERT_ROW).join(', ');
  }
}
