import type { Pool, RowDataPacket } from 'mysql2/promise';
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
import { MissingPeerDependencyError } from '../../errors/missing-peer-dependency.error.js';
import { MysqlAppender } from './mysql-appender.js';
import { MysqlGroupCommitter, type GroupCommitLimits } from './mysql-group-commit.js';
import { createSharedDataSource, createStorePool } from './mysql-connection.js';
import { toStoreError } from './mysql-error-mapping.js';
import * as defaults from './mysql-event-store.options.js';
import type {
  MysqlConnectionSettings,
  MysqlEventStoreOptions,
} from './mysql-event-store.options.js';
import { toSnapshot, toStoredEvent, type EventRow, type SnapshotRow } from './mysql-row-mapping.js';
import { assertValidTablePrefix, ensureFluxTables } from './mysql-schema.js';
import { limitClause, MysqlPositionedReader } from './mysql-positioned-reader.js';
import { assertCount, validateReadAll, validateReadStream } from '../read-validation.js';
import { MysqlSequencer } from './mysql-sequencer.js';
import { MysqlStatements } from './mysql-statements.js';
import { ensureFluxMeta, MysqlStoreIdentity } from './mysql-store-identity.js';
import { StreamVersionCache } from './stream-version-cache.js';

/**
 * Event store on MySQL 8 / MariaDB 10.11 (InnoDB). Concurrent appends of a process share one
 * transaction (group commit) that hands out positions under the sequence row lock, so the global
 * log is gap-safe and one commit serves many writers (see `MysqlGroupCommitter`,
 * docs/event-store.md).
 * Hot paths use raw SQL on a mysql2 pool; TypeORM is only the shared `dataSource`.
 */
export class MysqlEventStore extends EventStore {
  private readonly statements: MysqlStatements;
  private readonly sequencer: MysqlSequencer;
  private readonly appender: MysqlAppender;
  private readonly reader: MysqlPositionedReader;
  private readonly cache = new StreamVersionCache();
  private readonly identity: MysqlStoreIdentity;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly pool: Pool,
    private readonly shared: DataSource,
    private readonly settings: MysqlConnectionSettings,
    prefix: string,
    groupCommit: GroupCommitLimits,
  ) {
    super();
    this.statements = new MysqlStatements(prefix);
    this.sequencer = new MysqlSequencer(pool, this.statements);
    this.reader = new MysqlPositionedReader(pool, this.statements, this.sequencer);
    const committer = new MysqlGroupCommitter(pool, this.statements, groupCommit);
    this.appender = new MysqlAppender(pool, this.statements, this.sequencer, committer, this.cache);
    this.identity = new MysqlStoreIdentity(pool, prefix);
  }

  /** Connects (both pools), creates the tables when `synchronize` is set, checks they exist. */
  static async create(options: MysqlEventStoreOptions): Promise<MysqlEventStore> {
    const settings = defaults.parseMysqlUrl(options.url);
    const prefix = options.tablePrefix ?? defaults.DEFAULT_TABLE_PREFIX;
    assertValidTablePrefix(prefix);
    const poolSize = options.poolSize ?? defaults.DEFAULT_POOL_SIZE;
    const sharedSize = options.dataSourcePoolSize ?? defaults.DEFAULT_DATA_SOURCE_POOL_SIZE;
    defaults.assertPoolSize('poolSize', poolSize);
    defaults.assertPoolSize('dataSourcePoolSize', sharedSize);
    const connectTimeoutMs = options.connectTimeoutMs ?? defaults.DEFAULT_CONNECT_TIMEOUT_MS;
    const groupCommit = defaults.groupCommitLimits(options.groupCommit);
    const fail = (error: unknown) =>
      toStoreError(error, { ...settings, operation: 'connect', tables: `${prefix}*` });

    const pool = await createStorePool(settings, { poolSize, connectTimeoutMs });
    const shared = await createSharedDataSource(settings, {
      poolSize: sharedSize,
      connectTimeoutMs,
    }).catch(async (error: unknown) => {
      await pool.end().catch(() => undefined);
      throw error instanceof MissingPeerDependencyError ? error : fail(error);
    });
    const store = new MysqlEventStore(pool, shared, settings, prefix, groupCommit);
    store.queryTimeoutMs = options.queryTimeoutMs ?? defaults.DEFAULT_QUERY_TIMEOUT_MS;
    try {
      if (options.synchronize) {
        await ensureFluxTables(prefix, async (sql) => (await pool.query(sql))[0]);
        await ensureFluxMeta(prefix, async (sql) => (await pool.query(sql))[0]);
      }
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
    const sql = this.statements.selectStream + limitClause(limit);
    return this.guard('readStream', async () => {
      const rows = await this.reader.read(sql, [aggregateId, from]);
      const last = rows.at(-1);
      if (last) this.cache.remember(aggregateId, last.aggregate_name, last.version);
      return rows.map(toStoredEvent);
    });
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    const { after, limit } = validateReadAll(options);
    const sql = this.statements.selectAll + limitClause(limit);
    return this.guard('readAll', async () => {
      // Caught up? Then make sure no crashed writer left committed rows without a position.
      const full = (rows: EventRow[]) => limit !== undefined && rows.length >= limit;
      const rows = await this.reader.read(
        sql,
        [after],
        (page, unsequenced) => !full(page) && unsequenced,
      );
      return rows.map(toStoredEvent);
    });
  }

  async getEvent(eventId: string): Promise<StoredEvent | null> {
    // Event ids are ASCII (UUIDs); anything else cannot match the ascii column, so it is unknown.
    if (
      typeof eventId !== 'string' ||
      eventId.length === 0 ||
      eventId.length > 255 ||
      !/^[\x20-\x7e]+$/.test(eventId)
    ) {
      return null;
    }
    return this.guard('getEvent', async () => {
      const [row] = await this.reader.read(this.statements.selectEvent, [eventId]);
      return row ? toStoredEvent(row) : null;
    });
  }

  async lastPosition(): Promise<number> {
    return this.guard('lastPosition', async () => {
      let [[row]] = await this.pool.query<RowDataPacket[]>(this.statements.lastPosition);
      if (row && Number(row.pending)) {
        await this.sequencer.sequence();
        [[row]] = await this.pool.query<RowDataPacket[]>(this.statements.lastPosition);
      }
      return row ? Number(row.last) : 0;
    });
  }

  /** The uuid in `<prefix>meta`, created with the tables (or on the first call for older ones). */
  storeId(): Promise<string> {
    return this.guard('storeId', () => this.identity.get());
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
      this.pool.query(this.statements.replaceSnapshot, values),
    );
  }

  async loadSnapshot(aggregateId: string, aggregateName: string): Promise<Snapshot | null> {
    return this.guard('loadSnapshot', async () => {
      const [rows] = await this.pool.query<RowDataPacket[]>(this.statements.selectSnapshot, [
        aggregateName,
        aggregateId,
      ]);
      return rows.length ? toSnapshot(aggregateId, aggregateName, rows[0] as SnapshotRow) : null;
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

  private queryTimeoutMs = defaults.DEFAULT_QUERY_TIMEOUT_MS;

  private async guard<T>(operation: string, run: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            Object.assign(new Error(`no answer within ${this.queryTimeoutMs} ms`), {
              code: 'ETIMEDOUT',
            }),
          ),
        this.queryTimeoutMs,
      );
    });
    try {
      return await Promise.race([run(), timeout]);
    } catch (error) {
      throw toStoreError(error, {
        ...this.settings,
        operation,
        tables: this.statements.tables.events,
      });
    } finally {
      clearTimeout(timer);
    }
  }
}
