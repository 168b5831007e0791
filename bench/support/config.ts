/** Knobs shared by every benchmark, all read from the environment. */

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

export const config = {
  /** Multiplies every workload size (0.1 for a quick smoke run); default 1. */
  scale: numberFromEnv('BENCH_SCALE', 1),
  /** Rounds per case; library and baseline alternate within each round. Default 5. */
  rounds: Math.max(1, Math.round(numberFromEnv('BENCH_ROUNDS', 5))),
  redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  mysqlUrl: process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test',
  postgresUrl: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
};

/** `n` scaled by BENCH_SCALE, never below `min`. */
export function scaled(n: number, min = 1): number {
  return Math.max(min, Math.round(n * config.scale));
}

/** A random prefix for keys and tables, so runs never collide with tests or each other. */
export function randomPrefix(kind: string): string {
  return `bench_${kind}_${Math.random().toString(36).slice(2, 10)}_`;
}
