import type { Pool } from 'pg';
import { ensurePostgresTables, type PostgresLocation } from './postgres-schema.js';

/**
 * Runs `run`, failing with an `ETIMEDOUT` error when it takes longer than `ms`: a network that
 * drops packets would otherwise hang the caller until TCP gives up.
 * @internal
 */
export async function withDeadline<T>(ms: number, run: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`no answer within ${ms} ms`), { code: 'ETIMEDOUT' })),
      ms,
    );
  });
  try {
    return await Promise.race([run(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Creates the tables on one connection, in one transaction (the DDL's advisory lock needs both).
 * @internal
 */
export async function synchronizePostgresTables(
  pool: Pool,
  location: PostgresLocation,
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await ensurePostgresTables(location, (sql) => client.query(sql));
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
