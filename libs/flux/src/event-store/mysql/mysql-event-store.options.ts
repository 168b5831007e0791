import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';
import {
  assertPoolSize,
  type DatabaseConnectionSettings,
  parseDatabaseUrl,
} from '../database-url.js';
import { DEFAULT_GROUP_COMMIT_LIMITS, type GroupCommitLimits } from './mysql-group-commit.js';

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
  /**
   * Bounds of one group commit (concurrent appends sharing a transaction): at most `maxEvents`
   * events (default 500) and about `maxBytes` bytes of event data (default 1 MiB, well under
   * the server's `max_allowed_packet`). An append larger than that is committed alone.
   * `inFlight` groups (default 2) are sent at once: while one commits, the next waits at the
   * server for the sequence row lock.
   */
  groupCommit?: { maxEvents?: number; maxBytes?: number; inFlight?: number };
}

/**
 * Where and as whom to connect, parsed from the URL.
 * @internal
 */
export type MysqlConnectionSettings = DatabaseConnectionSettings;

/** @internal */
export const DEFAULT_TABLE_PREFIX = 'flux_';
/** @internal */
export const DEFAULT_POOL_SIZE = 10;
/** @internal */
export const DEFAULT_DATA_SOURCE_POOL_SIZE = 4;
/** @internal */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** @internal */
export const DEFAULT_QUERY_TIMEOUT_MS = 10_000;

/**
 * Parses `mysql://` / `mariadb://` URLs; the message of a bad URL never repeats the URL.
 * @internal
 */
export function parseMysqlUrl(url: string): MysqlConnectionSettings {
  return parseDatabaseUrl(url, {
    schemes: ['mysql', 'mariadb'],
    defaultPort: 3306,
    defaultUser: 'root',
  });
}

export { assertPoolSize };

/**
 * The group commit bounds, defaults filled in; rejects values that are not positive integers.
 * @internal
 */
export function groupCommitLimits(
  options: MysqlEventStoreOptions['groupCommit'] = {},
): GroupCommitLimits {
  const limits: GroupCommitLimits = {
    maxEvents: options.maxEvents ?? DEFAULT_GROUP_COMMIT_LIMITS.maxEvents,
    maxBytes: options.maxBytes ?? DEFAULT_GROUP_COMMIT_LIMITS.maxBytes,
    inFlight: options.inFlight ?? DEFAULT_GROUP_COMMIT_LIMITS.inFlight,
  };
  for (const [field, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new InvalidArgumentError(
        `groupCommit.${field}`,
        `expected a positive integer, got ${value}`,
      );
    }
  }
  return limits;
}
