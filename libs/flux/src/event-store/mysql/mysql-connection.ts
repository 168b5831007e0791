import mysql, { type Pool } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import type { MysqlConnectionSettings } from './mysql-event-store.options.js';

/**
 * The store's own pool. Separate from the shared `DataSource` because the hot path needs
 * settings TypeORM users should not inherit: multi-statement packets (a sequencer pass is one
 * round trip), JSON as text on MySQL too, and numbers instead of strings for BIGINT.
 */
export function createStorePool(
  settings: MysqlConnectionSettings,
  options: { poolSize: number; connectTimeoutMs: number },
): Pool {
  return mysql.createPool({
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    database: settings.database,
    connectionLimit: options.poolSize,
    connectTimeout: options.connectTimeoutMs,
    multipleStatements: true,
    jsonStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: false,
    timezone: 'Z',
    charset: 'utf8mb4_general_ci',
    enableKeepAlive: true,
  });
}

/** The TypeORM connection other parts (offset stores, relay checkpoints) share. */
export async function createSharedDataSource(
  settings: MysqlConnectionSettings,
  options: { poolSize: number; connectTimeoutMs: number },
): Promise<DataSource> {
  const dataSource = new DataSource({
    type: 'mysql',
    host: settings.host,
    port: settings.port,
    username: settings.user,
    password: settings.password,
    database: settings.database,
    poolSize: options.poolSize,
    connectTimeout: options.connectTimeoutMs,
    timezone: 'Z',
    charset: 'utf8mb4_general_ci',
    logging: false,
  });
  return dataSource.initialize();
}
