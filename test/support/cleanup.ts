import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { Redis } from 'ioredis';
import pg from 'pg';

/** Drops every table whose name starts with `prefix` (the tests' random table prefixes). */
export async function dropTables(mysqlUrl: string, prefix: string): Promise<void> {
  const conn = await createConnection(mysqlUrl);
  try {
    const [rows] = await conn.query<RowDataPacket[]>(
      'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE ?',
      [`${prefix.replace(/_/g, '\\_')}%`],
    );
    for (const { name } of rows) await conn.query(`DROP TABLE IF EXISTS \`${name}\``);
  } finally {
    await conn.end();
  }
}

/** Deletes every key starting with `prefix` (the tests' random key prefixes). */
export async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 1000); // also {<prefix>…} keys (leases)
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Drops every PostgreSQL table (of the search path's schema) whose name starts with `prefix`. */
export async function dropPostgresTables(postgresUrl: string, prefix: string): Promise<void> {
  const client = new pg.Client(postgresUrl);
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      'SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND starts_with(tablename, $1)',
      [prefix],
    );
    for (const { name } of rows) await client.query(`DROP TABLE IF EXISTS "${name}"`);
  } finally {
    await client.end();
  }
}
