import mysql from 'mysql2/promise';
import { config } from './config.js';

/** A mysql2 pool on the benchmark database (default `mysql://root@127.0.0.1:3306/test`). */
export function rawMysqlPool(connectionLimit = 16): mysql.Pool {
  return mysql.createPool({
    uri: config.mysqlUrl,
    connectionLimit,
    supportBigNumbers: true,
    bigNumberStrings: false,
  });
}

export async function mariadbVersion(): Promise<string> {
  const conn = await mysql.createConnection({ uri: config.mysqlUrl });
  try {
    const [rows] = await conn.query('SELECT VERSION() AS v');
    return String((rows as { v: string }[])[0].v);
  } finally {
    await conn.end();
  }
}

/** Drops every table of the current database whose name starts with `prefix`. */
export async function dropTables(prefix: string): Promise<string[]> {
  const conn = await mysql.createConnection({ uri: config.mysqlUrl });
  try {
    const [rows] = await conn.query(
      'SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE ?',
      [prefix.replace(/_/g, '\\_') + '%'],
    );
    const tables = (rows as { t: string }[]).map((r) => r.t);
    if (tables.length)
      await conn.query(`DROP TABLE IF EXISTS ${tables.map((t) => mysql.escapeId(t)).join(', ')}`);
    return tables;
  } finally {
    await conn.end();
  }
}
