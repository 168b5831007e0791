import type { EventStoreOptions } from 'nestjs-flux';

/** Everything the command service reads from its environment. */
export interface CommandConfig {
  port: number;
  host: string;
  /**
   * `postgres://…` (PostgreSQL) or `mysql://…` (MySQL/MariaDB), from `EVENT_STORE_URL` or else
   * `MYSQL_URL`. Absent: the in-memory event store (events are lost when the process stops).
   */
  eventStoreUrl?: string;
  tablePrefix?: string;
  /** Absent: no broker and no relay; read services follow the HTTP feed. */
  redisUrl?: string;
  keyPrefix?: string;
}

export function loadCommandConfig(env: NodeJS.ProcessEnv = process.env): CommandConfig {
  return {
    port: parsePort(env.PORT, 3000),
    host: env.HOST || '127.0.0.1',
    eventStoreUrl: env.EVENT_STORE_URL || env.MYSQL_URL || undefined,
    tablePrefix: env.TABLE_PREFIX || undefined,
    redisUrl: env.REDIS_URL || undefined,
    keyPrefix: env.KEY_PREFIX || undefined,
  };
}

/** `0` is allowed: the OS picks a free port, which the service logs. */
export function parsePort(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be an integer from 0 to 65535, got "${raw}"`);
  }
  return port;
}

/** The store a URL names, by its scheme; the tables are created at start-up (a sample app). */
export function eventStoreOptions(
  url: string | undefined,
  tablePrefix?: string,
): EventStoreOptions {
  if (!url) return { type: 'memory' };
  const scheme = url.slice(0, url.indexOf(':'));
  if (scheme === 'postgres' || scheme === 'postgresql') {
    return { type: 'postgres', url, synchronize: true, tablePrefix };
  }
  if (scheme === 'mysql' || scheme === 'mariadb') {
    return { type: 'mysql', url, synchronize: true, tablePrefix };
  }
  throw new Error(
    `EVENT_STORE_URL must start with postgres:// or mysql://, got "${scheme || url.slice(0, 12)}:…"`,
  );
}
