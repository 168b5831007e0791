import { createHash } from 'node:crypto';
import type { QueryConfig } from 'pg';
import {
  postgresTableNames,
  type PostgresLocation,
  type PostgresTableNames,
} from './postgres-schema.js';

const EVENT_COLUMNS =
  'position, event_id, aggregate_id, aggregate_name, version, type, data, metadata, created_at';
/** Appends of up to this many events use a prepared statement per size; larger ones do not. */
const PREPARED_APPEND_SIZES = 16;

/** A named statement: pg prepares it once per connection and then only sends the values. */
const prepared = (text: string): QueryConfig & { name: string } => ({
  name: `flux_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`,
  text,
});

/**
 * The store's SQL for one location, built once: the hot path only binds values.
 * @internal
 */
export class PostgresStatements {
  readonly tables: PostgresTableNames;
  readonly selectStream: string;
  readonly selectAll: string;
  readonly selectEvent: QueryConfig & { name: string };
  readonly selectHead: QueryConfig & { name: string };
  readonly lastPosition: QueryConfig & { name: string };
  readonly upsertSnapshot: QueryConfig & { name: string };
  readonly selectSnapshot: QueryConfig & { name: string };
  readonly selectStoreId: string;
  readonly insertStoreId: string;
  private readonly appends = new Map<number, QueryConfig>();

  constructor(location: PostgresLocation) {
    const t = (this.tables = postgresTableNames(location));
    this.selectStream = `SELECT ${EVENT_COLUMNS} FROM ${t.events} WHERE aggregate_id = $1 AND version >= $2 ORDER BY version`;
    this.selectAll = `SELECT ${EVENT_COLUMNS} FROM ${t.events} WHERE position > $1 ORDER BY position`;
    this.selectEvent = prepared(`SELECT ${EVENT_COLUMNS} FROM ${t.events} WHERE event_id = $1`);
    this.selectHead = prepared(
      `SELECT aggregate_name, version FROM ${t.events} WHERE aggregate_id = $1 ORDER BY version DESC LIMIT 1`,
    );
    this.lastPosition = prepared(`SELECT last_position FROM ${t.sequence} WHERE id = 1`);
    this.upsertSnapshot = prepared(
      `INSERT INTO ${t.snapshots} (aggregate_name, aggregate_id, version, schema_version, state, created_at) ` +
        'VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (aggregate_name, aggregate_id) DO UPDATE SET ' +
        'version = EXCLUDED.version, schema_version = EXCLUDED.schema_version, ' +
        'state = EXCLUDED.state, created_at = EXCLUDED.created_at',
    );
    this.selectSnapshot = prepared(
      `SELECT version, schema_version, state, created_at FROM ${t.snapshots} WHERE aggregate_name = $1 AND aggregate_id = $2`,
    );
    this.selectStoreId = `SELECT value FROM ${t.meta} WHERE key = 'store_id'`;
    this.insertStoreId =
      `INSERT INTO ${t.meta} (key, value) VALUES ('store_id', gen_random_uuid()::text) ` +
      'ON CONFLICT (key) DO NOTHING';
  }

  /**
   * The append of `count` events, one statement and so one autocommit transaction. It takes the
   * sequence row's lock (the UPDATE), hands out the next `count` positions and inserts; the lock
   * is held until the commit, and PostgreSQL makes a commit visible before it releases the
   * transaction's locks. So position N+1 is never visible before N: the log is gap-safe, and
   * positions are dense (a failed append rolls the counter back with its rows).
   *
   * The UPDATE only matches when the stream stands at `$3` as a `$2` (or `$3` is 0): otherwise
   * nothing is written and no row comes back. The UNIQUE (aggregate_id, version) key refuses a
   * stream that went past `$3` meanwhile: that error is the conflict.
   *
   * Values: $1 aggregate id, $2 aggregate name, $3 base version, $4 created at, then per event its
   * id, type, data and metadata.
   */
  append(count: number): QueryConfig {
    let statement = this.appends.get(count);
    if (statement) return statement;
    const t = this.tables;
    const rows = Array.from({ length: count }, (_, i) => {
      const at = 5 + i * 4;
      return `(${i + 1}, $${at}::uuid, $${at + 1}::text, $${at + 2}::json, $${at + 3}::json)`;
    });
    const text =
      `WITH seq AS (UPDATE ${t.sequence} SET last_position = last_position + ${count} ` +
      `WHERE id = 1 AND ($3::int = 0 OR EXISTS (SELECT 1 FROM ${t.events} ` +
      'WHERE aggregate_id = $1::text AND version = $3::int AND aggregate_name = $2::text)) ' +
      `RETURNING last_position - ${count} AS base) ` +
      `INSERT INTO ${t.events} (${EVENT_COLUMNS}) ` +
      'SELECT seq.base + v.i, v.event_id, $1::text, $2::text, $3::int + v.i, v.type, v.data, v.metadata, $4::timestamptz ' +
      `FROM seq CROSS JOIN (VALUES ${rows.join(', ')}) AS v (i, event_id, type, data, metadata) ` +
      'ORDER BY v.i RETURNING version, position';
    statement = count <= PREPARED_APPEND_SIZES ? prepared(text) : { text };
    if (count <= PREPARED_APPEND_SIZES) this.appends.set(count, statement);
    return statement;
  }
}
