import {
  assertPoolSize,
  type DatabaseConnectionSettings,
  parseDatabaseUrl,
} from '../database-url.js';

/** Options of `PostgresEventStore.create`. */
export interface PostgresEventStoreOptions {
  /** `postgres://user:password@host:port/database`; the password is never put in error messages. */
  url: string;
  /** Creates the schema and tables (idempotent) when they are missing. Default `false`: run the migration. */
  synchronize?: boolean;
  /** Prefix of every table name: letters, digits and `_`. Default `'flux_'`. */
  tablePrefix?: string;
  /** PostgreSQL schema of the tables. Default: none, the connection's `search_path` (`public`). */
  schema?: string;
  /** Connections of the store's own pool (appends, reads). Default 10. */
  poolSize?: number;
  /** Connections of the shared TypeORM `DataSource` (offset stores, checkpoints). Default 2. */
  dataSourcePoolSize?: number;
  /** Milliseconds to wait for a TCP connection. Default 10 000. */
  connectTimeoutMs?: number;
  /**
   * Milliseconds an operation may wait for the server before it fails with
   * `EventStoreUnavailableError` (a network that drops packets would otherwise hang it); also the
   * server-side `statement_timeout`. Default 10 000.
   */
  queryTimeoutMs?: number;
}

/**
 * Where and as whom to connect, parsed from the URL.
 * @internal
 */
export type PostgresConnectionSettings = DatabaseConnectionSettings;

/** @internal */
export const DEFAULT_TABLE_PREFIX = 'flux_';
/** @internal */
export const DEFAULT_POOL_SIZE = 10;
/** @internal */
export const DEFAULT_DATA_SOURCE_POOL_SIZE = 2;
/** @internal */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** @internal */
export const DEFAULT_QUERY_TIMEOUT_MS = 10_000;

/**
 * Parses `postgres://` / `postgresql://` URLs; the message of a bad URL never repeats the URL.
 * @internal
 */
export function parsePostgresUrl(url: string): PostgresConnectionSettings {
  return parseDatabaseUrl(url, {
    schemes: ['postgres', 'postgresql'],
    defaultPort: 5432,
    defaultUser: 'postgres',
  });
}

/**
 * Rejects pool sizes that would make the store hang or overload the server.
 * @internal
 */
export const assertPostgresPoolSize = assertPoolSize;
