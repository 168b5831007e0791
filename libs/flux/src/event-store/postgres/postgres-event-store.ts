import type { Pool, QueryConfig, QueryResultRow } from 'pg';
import type { DataSource } from 'typeorm';
import { assertJsonSafe, assertValidId, validateAppend } from '../append-validation.js';
import { EventStore } from '../event-store.js';
import type {
  AppendOptions,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  Snapshot,
  StoredEvent,
} from '../event-store.types.js';
import { assertCount, validateReadAll, validateReadStream } from '../read-validation.js';
import { PostgresAppender } from './postgres-appender.js';
import { createSharedDataSource, createStorePool } from './postgres-connection.js';
import { toStoreError } from './postgres-error-mapping.js';
import * as defaults from './postgres-event-store.options.js';
import type {
  PostgresConnectionSettings,
  PostgresEventStoreOptions,
} from './postgres-event-store.options.js';
import {
  toSnapshot,
  toStoredEvent,
  type PostgresEventRow,
  type PostgresSnapshotRow,
} from './postgres-row-mapping.js';
import { assertValidLocation, type PostgresLocation } from './postgres-schema.js';
import { synchronizePostgresTables, withDeadline } from './postgres-session.js';
import { PostgresStatements } from './postgres-statements.js';
import { PostgresWriter } from './postgres-writer.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Event store on PostgreSQL (13 or later). Appends take their positions under the sequence row's
 * lock and commit with it, so the global log is gap-safe and dense; appends of one process that
 * meet share a commit (see `PostgresWriter`, docs/event-store.md). Hot paths use raw SQL on a `pg`
 * pool; TypeORM is only the shared `dataSource`. `pg` is an optional peer dependency, loaded by
 * `create`.
 */
export class PostgresEventStore extends EventStore {
  private readonly statements: PostgresStatements;
  private readonly appender: PostgresAppender;
  private closing: Promise<void> | null = null;
  private readonly queryTimeoutMs: number;

  private constructor(
    private readonly pool: Pool,
    private readonly shared: DataSource,
    private readonly settings: PostgresConnectionSettings,
    location: PostgresLocation,
    queryTimeoutMs: number,
  ) {
    super();
    this.queryTimeoutMs = queryTimeoutMs;
    this.statements = new PostgresStatements(location);
    const writer = new PostgresWriter(pool, this.statements, queryTimeoutMs);
    this.appender = new PostgresAppender(pool, this.statements, writer);
  }

  /** Connects (both pools), creates the tables when `synchronize` is set, checks they exist. */
  static async create(options: PostgresEventStoreOptions): Promise<PostgresEventStore> {
    const settings = defaults.parsePostgresUrl(options.url);
    const location: PostgresLocation = {
      tablePrefix: options.tablePrefix ?? defaults.DEFAULT_TABLE_PREFIX,
      schema: options.schema,
    };
    assertValidLocation(location);
    const poolSize = options.poolSize ?? defaults.DEFAULT_POOL_SIZE;
    const sharedSize = options.dataSourcePoolSize ?? defaults.DEFAULT_DATA_SOURCE_POOL_SIZE;
    defaults.assertPostgresPoolSize('poolSize', poolSize);
    defaults.assertPostgresPoolSize('dataSourcePoolSize', sharedSize);
    const connectTimeoutMs = options.connectTimeoutMs ?? defaults.DEFAULT_CONNECT_TIMEOUT_MS;
    const queryTimeoutMs = options.queryTimeoutMs ?? defaults.DEFAULT_QUERY_TIMEOUT_MS;
    const tables = `${location.schema ? `${location.schema}.` : ''}${location.tablePrefix}*`;
    const fail = (error: unknown) =>
      toStoreError(error, { ...settings, operation: 'connect', tables });

    const shared = await createSharedDataSource(settings, {
      poolSize: sharedSize,
      connectTimeoutMs,
      schema: location.schema,
    }).catch((error: unknown) => Promise.reject(fail(error)));
    const pool = await createStorePool(settings, { poolSize, connectTimeoutMs, queryTimeoutMs });
    const store = new PostgresEventStore(pool, shared, settings, location, queryTimeoutMs);
    try {
      if (options.synchronize) await synchronizePostgresTables(pool, location);
      await pool.query(store.statements.lastPosition);
    } catch (error) {
      await store.close();
      throw fail(error);
    }
    return store;
  }

  /** The shared TypeORM connection (its own small pool), for offset stores and checkpoints. */
  get dataSource(): DataSource {
    return this.shared;
  }

  /**
   * The store's persistent identity: a UUID created with its tables and kept in the
   * `<prefix>flux_meta` table, so it survives restarts and differs between stores (prefixes,
   * schemas, databases). A restored backup brings its identity back with its events.
   */
  async storeId(): Promise<string> {
    return this.guard('storeId', async () => {
      let { rows } = await this.pool.query<{ value: string }>(this.statements.selectStoreId);
      if (rows.length === 0) {
        // Tables created before the meta row existed: create it once (every racer reads the winner's).
        await this.pool.query(this.statements.insertStoreId);
        ({ rows } = await this.pool.query<{ value: string }>(this.statements.selectStoreId));
      }
      return rows[0].value;
    });
  }

  async append(
    aggregateId: string,
    events: NewEvent[],
    options: AppendOptions,
  ): Promise<StoredEvent[]> {
    validateAppend(aggregateId, events, options);
    const stored = await this.guard('append', () =>
      this.appender.append(aggregateId, events, options),
    );
    if (stored.length > 0) this.notifyAppended(stored);
    return stored;
  }

  async readStream(aggregateId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const { from, limit } = validateReadStream(aggregateId, options);
    const text = this.statements.selectStream + limitClause(limit);
    return this.guard('readStream', () => this.events({ text, values: [aggregateId, from] }));
  }

  /**
   * The global log after `after`. Gap-safe without any reader-side bookkeeping: positions become
   * visible in order (see `PostgresStatements.append`), so a plain `position > after` never
   * passes over an event that commits later.
   */
  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    const { after, limit } = validateReadAll(options);
    const text = this.statements.selectAll + limitClause(limit);
    return this.guard('readAll', () => this.events({ text, values: [after] }));
  }

  async getEvent(eventId: string): Promise<StoredEvent | null> {
    // Event ids are UUIDs; anything else cannot match the uuid column, so it is unknown.
    if (typeof eventId !== 'string' || !UUID.test(eventId)) return null;
    return this.guard('getEvent', async () => {
      const [event] = await this.events({ ...this.statements.selectEvent, values: [eventId] });
      return event ?? null;
    });
  }

  async lastPosition(): Promise<number> {
    return this.guard('lastPosition', async () => {
      const { rows } = await this.pool.query<{ last_position: string }>(
        this.statements.lastPosition,
      );
      return rows.length ? Number(rows[0].last_position) : 0;
    });
  }

  async saveSnapshot(snapshot: Snapshot): Promise<void> {
    assertValidId('aggregateId', snapshot?.aggregateId);
    assertValidId('aggregateName', snapshot.aggregateName);
    assertCount('version', snapshot.version);
    assertCount('schemaVersion', snapshot.schemaVersion);
    assertJsonSafe(`snapshot state of ${snapshot.aggregateName}`, snapshot.state);
    const { aggregateName, aggregateId, version, schemaVersion, state } = snapshot;
    const values = [
      aggregateName,
      aggregateId,
      version,
      schemaVersion,
      JSON.stringify(state),
      new Date(),
    ];
    await this.guard('saveSnapshot', () =>
      this.pool.query({ ...this.statements.upsertSnapshot, values }),
    );
  }

  async loadSnapshot(aggregateId: string, aggregateName: string): Promise<Snapshot | null> {
    return this.guard('loadSnapshot', async () => {
      const { rows } = await this.pool.query<PostgresSnapshotRow>({
        ...this.statements.selectSnapshot,
        values: [aggregateName, aggregateId],
      });
      return rows.length ? toSnapshot(aggregateId, aggregateName, rows[0]) : null;
    });
  }

  /** Ends both pools; idempotent. */
  close(): Promise<void> {
    this.closing ??= Promise.allSettled([
      this.pool.end(),
      this.shared.isInitialized ? this.shared.destroy() : Promise.resolve(),
    ]).then(() => undefined);
    return this.closing;
  }

  private async events(query: QueryConfig): Promise<StoredEvent[]> {
    const { rows } = await this.pool.query<PostgresEventRow & QueryResultRow>(query);
    return rows.map(toStoredEvent);
  }

  /** Runs `run` within the query timeout; driver errors become the store's typed errors. */
  private async guard<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await withDeadline(this.queryTimeoutMs, run);
    } catch (error) {
      throw toStoreError(error, {
        ...this.settings,
        operation,
        tables: this.statements.tables.events,
      });
    }
  }
}

function limitClause(limit: number | undefined): string {
  if (limit === undefined) return '';
  assertCount('limit', limit);
  return ` LIMIT ${limit}`;
}
