import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { dropFluxTablesSql } from './mysql-schema.js';

/**
 * The test server (see .ci/run); override with FLUX_MYSQL_URL.
 * @internal
 */
export const TEST_MYSQL_URL = process.env.FLUX_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

/**
 * A prefix no other test file uses, so files run in parallel against one database.
 * @internal
 */
export const randomTablePrefix = (): string => `t_${randomBytes(5).toString('hex')}_`;

/**
 * Drops a test's tables through a connection of its own (the store may be closed already).
 * @internal
 */
export async function dropTestTables(prefix: string): Promise<void> {
  const connection = await mysql.createConnection(TEST_MYSQL_URL);
  try {
    for (const sql of dropFluxTablesSql(prefix)) await connection.query(sql);
  } finally {
    await connection.end();
  }
}
