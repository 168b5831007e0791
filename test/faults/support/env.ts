/** Servers the suite talks to; every address is on loopback. */
export const MYSQL_URL =
  process.env.FLUX_MYSQL_URL ?? process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Events of the 16-writer test (fault 4); lower it on a slow machine. */
export const WRITER_EVENTS = Number(process.env.FAULTS_WRITER_EVENTS ?? 100_000);

/** Runs per property of the fuzzers. */
export const FUZZ_RUNS = Number(process.env.FAULTS_FUZZ_RUNS ?? 100);
export const POSTGRES_URL =
  process.env.FLUX_POSTGRES_URL ??
  process.env.POSTGRES_URL ??
  'postgres://postgres@127.0.0.1:5432/test';
