import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { loadOptionalPeer } from '../../peers/load-optional-peer.js';
import type { PostgresConnectionSettings } from './postgres-event-store.options.js';

type PgModule = (typeof import('pg'))['default'];

const FEATURE = 'The PostgreSQL event store';

/**
 * Loads `pg` (an optional peer dependency) on first use, so applications on another store never
 * load it; a missing package is reported by name with the command that installs it.
 * @internal
 */
export async function loadPg(feature = FEATURE): Promise<PgModule> {
  return (await loadOptionalPeer({ name: 'pg', feature, load: () => import('pg') })).default;
}

/**
 * The store's own pool: appends and reads on raw `pg`, with a server-side statement timeout.
 * @internal
 */
export async function createStorePool(
  settings: PostgresConnectionSettings,
  options: { poolSize: number; connectTimeoutMs: number; queryTimeoutMs: number },
): Promise<Pool> {
  const pg = await loadPg();
  const pool = new pg.Pool({
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    database: settings.database,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs,
    statement_timeout: options.queryTimeoutMs,
    keepAlive: true,
    application_name: 'nestjs-flux',
  });
  // An idle connection the server dropped emits 'error' on the pool; unhandled, it would end the
  // process. The next query opens a new connection and reports failures itself.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * The TypeORM connection other parts (offset stores, checkpoints, migrations) share.
 * @internal
 */
export async function createSharedDataSource(
  settings: PostgresConnectionSettings,
  options: { poolSize: number; connectTimeoutMs: number; schema?: string },
): Promise<DataSource> {
  const pg = await loadPg();
  const typeorm = await loadOptionalPeer({
    name: 'typeorm',
    feature: FEATURE,
    install: ['typeorm', 'pg'],
    load: () => import('typeorm'),
  });
  const dataSource = new typeorm.DataSource({
    type: 'postgres',
    driver: pg,
    host: settings.host,
    port: settings.port,
    username: settings.user,
    password: settings.password,
    database: settings.database,
    schema: options.schema,
    poolSize: options.poolSize,
    connectTimeoutMS: options.connectTimeoutMs,
    applicationName: 'nestjs-flux',
    installExtensions: false,
    poolErrorHandler: () => undefined,
    logging: false,
  });
  return dataSource.initialize();
}
