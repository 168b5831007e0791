import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';

/**
 * Where one store's tables live: its schema (or none: the search path) and table prefix.
 * @internal
 */
export interface PostgresLocation {
  tablePrefix: string;
  schema?: string;
}

/**
 * Table names of one store, quoted and schema-qualified for SQL.
 * @internal
 */
export interface PostgresTableNames {
  events: string;
  snapshots: string;
  sequence: string;
  meta: string;
  /** Constraint names (unqualified: PostgreSQL scopes them to the schema). */
  versionKey: string;
}

/**
 * Runs one SQL statement and resolves to its rows (TypeORM `QueryRunner.query` fits).
 * @internal
 */
export type SqlRunner = (sql: string) => Promise<unknown>;

const PREFIX = /^[A-Za-z0-9_]{0,40}$/;
const SCHEMA = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Prefix and schema are spliced into SQL, so only identifier-safe characters are accepted.
 * @internal
 */
export function assertValidLocation({ tablePrefix, schema }: PostgresLocation): void {
  if (typeof tablePrefix !== 'string' || !PREFIX.test(tablePrefix)) {
    throw new InvalidArgumentError('tablePrefix', 'use at most 40 letters, digits or underscores');
  }
  if (schema !== undefined && (typeof schema !== 'string' || !SCHEMA.test(schema))) {
    throw new InvalidArgumentError(
      'schema',
      'use a letter or underscore, then at most 62 letters, digits or underscores',
    );
  }
}

/** @internal */
export function postgresTableNames(location: PostgresLocation): PostgresTableNames {
  assertValidLocation(location);
  const { tablePrefix: p, schema } = location;
  const name = (table: string) => (schema ? `"${schema}"."${p}${table}"` : `"${p}${table}"`);
  return {
    events: name('events'),
    snapshots: name('snapshots'),
    sequence: name('sequence'),
    meta: name('flux_meta'),
    versionKey: `${p}uq_version`,
  };
}

/**
 * DDL of the store. Positions are handed out from the sequence row, whose lock the append holds
 * until its commit (see `PostgresStatements.append`); aggregate ids compare byte for byte
 * (`COLLATE "C"`). JSON columns keep the text as written (key order, exact numbers). The meta
 * table holds the store's identity, created once with the tables.
 * @internal
 */
export function createPostgresTablesSql(location: PostgresLocation): string[] {
  const t = postgresTableNames(location);
  const p = location.tablePrefix;
  return [
    ...(location.schema ? [`CREATE SCHEMA IF NOT EXISTS "${location.schema}"`] : []),
    `CREATE TABLE IF NOT EXISTS ${t.events} (
      position BIGINT NOT NULL,
      event_id UUID NOT NULL,
      aggregate_id TEXT COLLATE "C" NOT NULL,
      aggregate_name TEXT COLLATE "C" NOT NULL,
      version INTEGER NOT NULL,
      type TEXT COLLATE "C" NOT NULL,
      data JSON NOT NULL,
      metadata JSON NOT NULL,
      created_at TIMESTAMPTZ(3) NOT NULL,
      CONSTRAINT "${p}pk_events" PRIMARY KEY (position),
      CONSTRAINT "${p}uq_event_id" UNIQUE (event_id),
      CONSTRAINT "${t.versionKey}" UNIQUE (aggregate_id, version)
    )`,
    `CREATE TABLE IF NOT EXISTS ${t.snapshots} (
      aggregate_name TEXT COLLATE "C" NOT NULL,
      aggregate_id TEXT COLLATE "C" NOT NULL,
      version INTEGER NOT NULL,
      schema_version INTEGER NOT NULL,
      state JSON NOT NULL,
      created_at TIMESTAMPTZ(3) NOT NULL,
      CONSTRAINT "${p}pk_snapshots" PRIMARY KEY (aggregate_name, aggregate_id)
    )`,
    `CREATE TABLE IF NOT EXISTS ${t.sequence} (
      id SMALLINT NOT NULL,
      last_position BIGINT NOT NULL,
      CONSTRAINT "${p}pk_sequence" PRIMARY KEY (id)
    )`,
    // Seeded from the events so that a recreated sequence row never hands out a used position.
    `INSERT INTO ${t.sequence} (id, last_position)
      SELECT 1, COALESCE(MAX(position), 0) FROM ${t.events} ON CONFLICT (id) DO NOTHING`,
    `CREATE TABLE IF NOT EXISTS ${t.meta} (
      key TEXT COLLATE "C" NOT NULL,
      value TEXT NOT NULL,
      CONSTRAINT "${p}pk_flux_meta" PRIMARY KEY (key)
    )`,
    `INSERT INTO ${t.meta} (key, value) VALUES ('store_id', gen_random_uuid()::text)
      ON CONFLICT (key) DO NOTHING`,
  ];
}

/**
 * Drops the tables (never the schema: other things may live in it).
 * @internal
 */
export function dropPostgresTablesSql(location: PostgresLocation): string[] {
  const t = postgresTableNames(location);
  return [t.events, t.snapshots, t.sequence, t.meta].map(
    (table) => `DROP TABLE IF EXISTS ${table}`,
  );
}

/**
 * Creates the tables (idempotent). Concurrent `CREATE … IF NOT EXISTS` of one name can still
 * collide in PostgreSQL's catalog, so the DDL waits for a transaction-scoped advisory lock: run
 * it inside a transaction (a TypeORM migration is one; the store opens one).
 * @internal
 */
export async function ensurePostgresTables(
  location: PostgresLocation,
  query: SqlRunner,
): Promise<void> {
  await query(`SELECT pg_advisory_xact_lock(hashtext('nestjs-flux:ddl'))`);
  for (const sql of createPostgresTablesSql(location)) await query(sql);
}
