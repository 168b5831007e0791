import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { dropPostgresTablesSql, type PostgresLocation } from './postgres-schema.js';

/**
 * The test server (see .ci/run); override with FLUX_POSTGRES_URL.
 * @internal
 */
export const TEST_POSTGRES_URL =
  process.env.FLUX_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A prefix no other test file uses, so files run in parallel against one database.
 * @internal
 */
export const randomTablePrefix = (): string => `t_${randomBytes(5).toString('hex')}_`;

/**
 * A schema no other test file uses (dropped with everything in it by `dropTestSchema`).
 * @internal
 */
export const randomSchema = (): string => `flux_test_${randomBytes(5).toString('hex')}`;

/**
 * Runs statements on a connection of the test's own (the store may be closed already).
 * @internal
 */
export async function onTestServer(statements: string[]): Promise<void> {
  const client = new pg.Client(TEST_POSTGRES_URL);
  await client.connect();
  try {
    for (const sql of statements) await client.query(sql);
  } finally {
    await client.end();
  }
}

/** @internal */
export const dropTestTables = (location: PostgresLocation): Promise<void> =>
  onTestServer(dropPostgresTablesSql(location));

/** @internal */
export const dropTestSchema = (schema: string): Promise<void> =>
  onTestServer([`DROP SCHEMA IF EXISTS "${schema}" CASCADE`]);
