/** Everything the command service reads from its environment. */
export interface CommandConfig {
  port: number;
  host: string;
  /** Absent: the in-memory event store (events are lost when the process stops). */
  mysqlUrl?: string;
  tablePrefix?: string;
  /** Absent: no broker and no relay; read services follow the HTTP feed. */
  redisUrl?: string;
  keyPrefix?: string;
}

export function loadCommandConfig(env: NodeJS.ProcessEnv = process.env): CommandConfig {
  return {
    port: parsePort(env.PORT, 3000),
    host: env.HOST || '127.0.0.1',
    mysqlUrl: env.MYSQL_URL || undefined,
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
