import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';

/**
 * Table names of one store, already quoted for SQL.
 * @internal
 */
export interface FluxTableNames {
  events: string;
  snapshots: string;
  sequence: string;
}

/**
 * Runs one SQL statement and resolves to its rows (TypeORM `QueryRunner.query` fits).
 * @internal
 */
export type SqlRunner = (sql: string) => Promise<unknown>;

const PREFIX = /^[A-Za-z0-9_]{0,40}$/;

/**
 * The prefix is spliced into SQL, so only identifier-safe characters are accepted.
 * @internal
 */
export function assertValidTablePrefix(prefix: string): void {
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new InvalidArgumentError('tablePrefix', 'use at most 40 letters, digits or underscores');
  }
}

/** @internal */
export function fluxTableNames(prefix: string): FluxTableNames {
  assertValidTablePrefix(prefix);
  return {
    events: `\`${prefix}events\``,
    snapshots: `\`${prefix}snapshots\``,
    sequence: `\`${prefix}sequence\``,
  };
}

/**
 * Aggregate ids must compare byte for byte: with a PAD SPACE collation `"a"` and `"a "` would be
 * one stream. MariaDB calls the NO PAD binary collation `utf8mb4_nopad_bin`, MySQL 8
 * `utf8mb4_0900_bin`; older servers only have the PAD SPACE `utf8mb4_bin`.
 * @internal
 */
export async function detectIdCollation(query: SqlRunner): Promise<string> {
  const rows = (await query(
    "SHOW COLLATION WHERE Collation IN ('utf8mb4_nopad_bin', 'utf8mb4_0900_bin')",
  )) as Array<{ Collation?: string }>;
  const names = rows.map((row) => row.Collation);
  return names.find((name) => name === 'utf8mb4_nopad_bin') ?? names[0] ?? 'utf8mb4_bin';
}

/**
 * DDL of the store. `id` only orders rows that wait for a position (see `MysqlSequencer`);
 * `position` is NULL from the writer's commit until the sequencer pass that follows it.
 * @internal
 */
export function createFluxTablesSql(prefix: string, idCollation = 'utf8mb4_bin'): string[] {
  const t = fluxTableNames(prefix);
  const text = (length: number, collation = 'utf8mb4_bin') =>
    `VARCHAR(${length}) CHARACTER SET utf8mb4 COLLATE ${collation} NOT NULL`;
  return [
    `CREATE TABLE IF NOT EXISTS ${t.events} (
      id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
      position BIGINT UNSIGNED NULL,
      event_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      aggregate_id ${text(255, idCollation)},
      aggregate_name ${text(255)},
      version INT UNSIGNED NOT NULL,
      type ${text(255)},
      data JSON NOT NULL,
      metadata JSON NOT NULL,
      created_at DATETIME(3) NOT NULL,
      PRIMARY KEY (id),
      UNIQUE KEY uq_position (position),
      UNIQUE KEY uq_event_id (event_id),
      UNIQUE KEY uq_aggregate_version (aggregate_id, version)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
    `CREATE TABLE IF NOT EXISTS ${t.snapshots} (
      aggregate_name ${text(255)},
      aggregate_id ${text(255, idCollation)},
      version INT UNSIGNED NOT NULL,
      schema_version INT NOT NULL,
      state JSON NOT NULL,
      created_at DATETIME(3) NOT NULL,
      PRIMARY KEY (aggregate_name, aggregate_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
    `CREATE TABLE IF NOT EXISTS ${t.sequence} (
      id TINYINT UNSIGNED NOT NULL,
      last_position BIGINT UNSIGNED NOT NULL,
      PRIMARY KEY (id)
    ) ENGINE=InnoDB`,
    // Seeded from the events so that a recreated sequence row never hands out a used position.
    `INSERT IGNORE INTO ${t.sequence} (id, last_position)
      SELECT 1, COALESCE(MAX(position), 0) FROM ${t.events}`,
  ];
}

/** @internal */
export function dropFluxTablesSql(prefix: string): string[] {
  const t = fluxTableNames(prefix);
  // `<prefix>meta` holds the store identity (see mysql-store-identity.ts).
  return [t.events, t.snapshots, t.sequence, `\`${prefix}meta\``].map(
    (table) => `DROP TABLE IF EXISTS ${table}`,
  );
}

/**
 * Creates the tables (idempotent), choosing the id collation the server offers.
 * @internal
 */
export async function ensureFluxTables(prefix: string, query: SqlRunner): Promise<void> {
  const collation = await detectIdCollation(query);
  for (const sql of createFluxTablesSql(prefix, collation)) await query(sql);
}
