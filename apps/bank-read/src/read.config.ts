/** How the read service follows the command service. */
export type ReadMode = 'stream' | 'feed';

/** Everything the read service reads from its environment. */
export interface ReadConfig {
  port: number;
  host: string;
  mode: ReadMode;
  /** Base URL of the command service; feed mode reads `<commandUrl>/events`. */
  commandUrl: string;
  /** Feed poll interval (ms), also the wait before re-trying server push. */
  feedInterval: number;
  /** Absent: balances (and the feed offset) live in memory and are rebuilt on restart. */
  mysqlUrl?: string;
  /** Prefix of the read model's own tables; default `bank_read_`. */
  tablePrefix: string;
  redisUrl?: string;
  keyPrefix?: string;
}

export function loadReadConfig(env: NodeJS.ProcessEnv = process.env): ReadConfig {
  const mode = env.READ_MODE || 'feed';
  if (mode !== 'stream' && mode !== 'feed') {
    throw new Error(`READ_MODE must be "stream" or "feed", got "${mode}"`);
  }
  if (mode === 'stream' && !env.REDIS_URL) {
    throw new Error('READ_MODE=stream needs REDIS_URL: the events come from a Redis stream');
  }
  const tablePrefix = env.TABLE_PREFIX ?? 'bank_read_';
  if (!/^[A-Za-z0-9_]{0,40}$/.test(tablePrefix)) {
    throw new Error(
      `TABLE_PREFIX must be at most 40 letters, digits or underscores, got "${tablePrefix}"`,
    );
  }
  return {
    port: integer('PORT', env.PORT, 3001, 0, 65535),
    host: env.HOST || '127.0.0.1',
    mode,
    commandUrl: (env.COMMAND_URL || 'http://127.0.0.1:3000').replace(/\/+$/, ''),
    feedInterval: integer('FEED_INTERVAL_MS', env.FEED_INTERVAL_MS, 500, 1, 3_600_000),
    mysqlUrl: env.MYSQL_URL || undefined,
    tablePrefix,
    redisUrl: env.REDIS_URL || undefined,
    keyPrefix: env.KEY_PREFIX || undefined,
  };
}

function integer(
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
) {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}
