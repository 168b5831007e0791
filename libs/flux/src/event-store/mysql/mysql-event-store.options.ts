import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';

/** Options of `MysqlEventStore.create`. */
export interface MysqlEventStoreOptions {
  /** `mysql://user:password@host:port/database`; the password is never put in error messages. */
  url: string;
  /** Creates the tables (idempotent) when they are missing. Default `false`: run the migration. */
  synchronize?: boolean;
  /** Prefix of every table name: letters, digits and `_`. Default `'flux_'`. */
  tablePrefix?: string;
  /** Connections of the store's own pool (appends, reads). Default 10. */
  poolSize?: number;
  /** Connections of the shared TypeORM `DataSource` (offset stores, checkpoints). Default 4. */
  dataSourcePoolSize?: number;
  /** Milliseconds to wait for a TCP connection. Default 10 000. */
  connectTimeoutMs?: number;
  /**
   * Milliseconds an operation may wait for the server before it fails with
   * `EventStoreUnavailableError` (a network that drops packets would otherwise hang it). Default 10 000.
   */
  queryTimeoutMs?: number;
}

/** Where and as whom to connect, parsed from the URL. */
export interface MysqlConnectionSettings {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** `host:port`, the only location ever shown in messages. */
  address: string;
}

export const DEFAULT_TABLE_PREFIX = 'flux_';
export const DEFAULT_POOL_SIZE = 10;
export const DEFAULT_DATA_SOURCE_POOL_SIZE = 4;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_QUERY_TIMEOUT_MS = 10_000;

/** Parses `mysql://` / `mariadb://` URLs; the message of a bad URL never repeats the URL. */
export function parseMysqlUrl(url: string): MysqlConnectionSettings {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidArgumentError('url', 'expected mysql://user:password@host:port/database');
  }
  if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:') {
    throw new InvalidArgumentError('url', `expected the mysql: scheme, got ${parsed.protocol}`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database) throw new InvalidArgumentError('url', 'it names no database (…/database)');
  const host = parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  const port = parsed.port ? Number(parsed.port) : 3306;
  return {
    host,
    port,
    user: decodeURIComponent(parsed.username) || 'root',
    password: decodeURIComponent(parsed.password),
    database,
    address: `${host}:${port}`,
  };
}

/** Rejects pool sizes that would make the store hang or overload the server. */
export function assertPoolSize(field: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1 || value > 1000) {
    throw new InvalidArgumentError(field, `expected an integer from 1 to 1000, got ${value}`);
  }
}
