import type { Pool, RowDataPacket } from 'mysql2/promise';
import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';
import { MysqlOffsetLeases } from './mysql-offset-leases.js';
import { assertOffset, type LeasingOffsetStore, parseStoredOffset } from './offset-store.js';

const TABLE_NAME = /^[A-Za-z0-9_]{1,64}$/;
const MAX_NAME_LENGTH = 255;

/**
 * Offsets in a MySQL/MariaDB table (`name` primary key, `position`), created on first use and
 * written with an upsert that never moves an offset back. Leases of consumer names are rows of
 * `<table>_leases` (holder and expiry by the database's clock). Give it a `mysql2/promise` pool
 * (yours: never closed here) or a URL (the store opens a pool and `close()` ends it).
 */
export class MysqlOffsetStore implements LeasingOffsetStore {
  private readonly pool: Promise<Pool>;
  private readonly owned: boolean;
  private ready?: Promise<void>;
  private readonly leases: MysqlOffsetLeases;

  constructor(
    poolOrUrl: Pool | string,
    readonly table = 'flux_feed_offsets',
  ) {
    if (!TABLE_NAME.test(table)) {
      throw new InvalidArgumentError(
        'offset table',
        `"${table}" must be 1 to 64 letters, digits or underscores`,
      );
    }
    this.owned = typeof poolOrUrl === 'string';
    this.pool = typeof poolOrUrl === 'string' ? openPool(poolOrUrl) : Promise.resolve(poolOrUrl);
    // Reported on first use instead; an unobserved rejection here would crash the process.
    this.pool.catch(() => undefined);
    this.leases = new MysqlOffsetLeases(`${table}_leases`, (name) => this.prepared(name));
  }

  async get(name: string): Promise<number> {
    const pool = await this.prepared(name);
    const [rows] = await pool.query<RowDataPacket[]>(
      `SELECT position FROM \`${this.table}\` WHERE name = ?`,
      [name],
    );
    return rows.length ? parseStoredOffset(name, rows[0].position) : 0;
  }

  /** Saves `position` unless a higher one is stored (an offset never moves back). */
  async save(name: string, position: number): Promise<void> {
    assertOffset(name, position);
    const pool = await this.prepared(name);
    await pool.query(
      `INSERT INTO \`${this.table}\` (name, position) VALUES (?, ?) ` +
        `ON DUPLICATE KEY UPDATE position = GREATEST(position, VALUES(position))`,
      [name, position],
    );
  }

  acquireLease(name: string, token: string, ttlMs: number): Promise<boolean> {
    return this.leases.acquire(name, token, ttlMs);
  }

  renewLease(name: string, token: string, ttlMs: number): Promise<boolean> {
    return this.leases.renew(name, token, ttlMs);
  }

  releaseLease(name: string, token: string): Promise<void> {
    return this.leases.release(name, token);
  }

  leaseToken(name: string): Promise<string | null> {
    return this.leases.token(name);
  }

  /** Ends the pool if this store opened it from a URL. */
  async close(): Promise<void> {
    if (this.owned) await (await this.pool).end();
  }

  private async prepared(name: string): Promise<Pool> {
    if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME_LENGTH) {
      throw new InvalidArgumentError(
        'consumer name',
        `expected 1 to ${MAX_NAME_LENGTH} characters`,
      );
    }
    const pool = await this.pool;
    // Created once per store; a failed attempt (server down) is retried on the next call.
    this.ready ??= pool
      .query(
        `CREATE TABLE IF NOT EXISTS \`${this.table}\` (
          name VARCHAR(${MAX_NAME_LENGTH}) NOT NULL PRIMARY KEY,
          position BIGINT UNSIGNED NOT NULL,
          updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
      )
      .then(() => undefined)
      .catch((error) => {
        this.ready = undefined;
        throw error;
      });
    await this.ready;
    return pool;
  }
}

async function openPool(url: string): Promise<Pool> {
  // Loaded on demand: applications that keep offsets elsewhere never load the driver.
  const { createPool } = await import('mysql2/promise');
  return createPool(url);
}
