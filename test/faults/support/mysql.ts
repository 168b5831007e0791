import { randomBytes } from 'node:crypto';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { MysqlEventStore } from 'nestjs-flux';
import { MYSQL_URL } from './env.js';

/** A table prefix no other test uses (dropped by `dropTables`). */
export const tablePrefix = (label: string): string =>
  `fault_${label}_${randomBytes(4).toString('hex')}_`;

/** The MariaDB URL with another host:port (a proxy in front of it). */
export function viaPort(port: number, url = MYSQL_URL): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(port);
  return parsed.toString();
}

export function mysqlTarget(url = MYSQL_URL): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname || '127.0.0.1', port: Number(parsed.port || 3306) };
}

/** A MySQL event store on its own tables (created now). */
export function createMysqlStore(
  prefix: string,
  options: { url?: string; poolSize?: number; connectTimeoutMs?: number } = {},
): Promise<MysqlEventStore> {
  return MysqlEventStore.create({
    url: options.url ?? MYSQL_URL,
    tablePrefix: prefix,
    synchronize: true,
    poolSize: options.poolSize,
    connectTimeoutMs: options.connectTimeoutMs,
  });
}

/** Drops every table whose name starts with `prefix`, through a connection of its own. */
export async function dropTables(prefix: string): Promise<void> {
  const conn = await createConnection(MYSQL_URL);
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

/** Runs one query on the real server (not through a proxy), for assertions. */
export async function queryRows<T = RowDataPacket>(
  sql: string,
  values: unknown[] = [],
): Promise<T[]> {
  const conn = await createConnection(MYSQL_URL);
  try {
    const [rows] = await conn.query<RowDataPacket[]>(sql, values);
    return rows as T[];
  } finally {
    await conn.end();
  }
}
