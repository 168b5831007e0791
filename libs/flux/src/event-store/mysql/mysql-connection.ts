import type { Pool } from 'mysql2/promise';
import type { DataSource } from 'typeorm';
import { loadOptionalPeer } from '../../peers/load-optional-peer.js';
import type { MysqlConnectionSettings } from './mysql-event-store.options.js';

const FEATURE = 'The MySQL event store';
const INSTALL = ['typeorm', 'mysql2'];

/** mysql2 and TypeORM are optional peers: loaded when a MySQL store is created, never on import. */
const loadMysql2 = () =>
  loadOptionalPeer({
    name: 'mysql2',
    feature: FEATURE,
    install: INSTALL,
    load: () => import('mysql2/promise'),
  });
const loadTypeorm = () =>
  loadOptionalPeer({
    name: 'typeorm',
    feature: FEATURE,
    install: INSTALL,
    load: () => import('typeorm'),
  });

/**
 * The store's own pool. Separate from the shared `DataSource` because the hot path needs
 * settings TypeORM users should not inherit: multi-statement packets (a sequencer pass is one
 * round trip), JSON as text on MySQL too, numbers instead of strings for BIGINT, and READ
 * COMMITTED sessions.
 * @internal
 */
export async function createStorePool(
  settings: MysqlConnectionSettings,
  options: { poolSize: number; connectTimeoutMs: number },
): Promise<Pool> {
  const { default: mysql } = await loadMysql2();
  const pool = mysql.createPool({
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
  // Every transaction of the store (group commits, sequencer passes) runs READ COMMITTED; set
  // once per connection, before its first query, instead of a statement in every group's packet.
  pool.pool.on('connection', (connection) => {
    connection.query(SESSION_SETUP, (error: unknown) => {
      if (error) connection.destroy();
    });
  });
  return pool;
}

const SESSION_SETUP = 'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED';

/**
 * The TypeORM connection other parts (offset stores, relay checkpoints) share.
 * @internal
 */
export async function createSharedDataSource(
  settings: MysqlConnectionSettings,
  options: { poolSize: number; connectTimeoutMs: number },
): Promise<DataSource> {
  const { DataSource } = await loadTypeorm();
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
