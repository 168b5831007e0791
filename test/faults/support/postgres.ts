import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresEventStore } from 'nestjs-flux';
import { POSTGRES_URL } from './env.js';

/** A schema no other test uses (dropped with everything in it by `dropSchema`). */
export const testSchema = (label: string): string =>
  `fault_${label}_${randomBytes(4).toString('hex')}`;

/** A PostgreSQL event store on its own schema (created now). */
export function createPostgresStore(
  schema: string,
  options: { url?: string; poolSize?: number; connectTimeoutMs?: number } = {},
): Promise<PostgresEventStore> {
  return PostgresEventStore.create({
    url: options.url ?? POSTGRES_URL,
    schema,
    synchronize: true,
    poolSize: options.poolSize,
    connectTimeoutMs: options.connectTimeoutMs,
  });
}

/** Drops the schema and every table in it, through a connection of its own. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client(POSTGRES_URL);
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
