import pg from 'pg';
import { config } from './config.js';

/** A pg pool on the benchmark database (default `postgres://postgres@127.0.0.1:5432/test`). */
export function rawPgPool(max = 16): pg.Pool {
  const pool = new pg.Pool({ connectionString: config.postgresUrl, max });
  pool.on('error', () => undefined);
  return pool;
}

export async function postgresVersion(): Promise<string> {
  const pool = rawPgPool(1);
  try {
    return String((await pool.query('SHOW server_version')).rows[0].server_version);
  } finally {
    await pool.end();
  }
}

/** Drops a benchmark's schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  const pool = rawPgPool(1);
  try {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await pool.end();
  }
}
