import type { Pool } from 'pg';
import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';
import { loadPg } from '../../event-store/postgres/postgres-connection.js';
import { assertOffset, type LeasingOffsetStore, parseStoredOffset } from './offset-store.js';
import { PostgresOffsetLeases } from './postgres-offset-leases.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const MAX_NAME_LENGTH = 255;

/**
 * Offsets in a PostgreSQL table (`name` primary key, `position`), created on first use and
 * written with an upsert that never moves an offset back. Leases of consumer names are rows of
 * `<table>_leases` (holder and expiry by the database's clock). Give it a `pg` pool (yours: never closed here) or a URL (the store
 * opens a pool and `close()` ends it). `table` may be schema-qualified (`schema.table`).
 */
export class PostgresOffsetStore implements LeasingOffsetStore {
  private readonly pool: Promise<Pool>;
  private readonly owned: boolean;
  private readonly quoted: string;
  private ready?: Promise<void>;
  private readonly leases: PostgresOffsetLeases;

  constructor(
    poolOrUrl: Pool | string,
    readonly table = 'flux_feed_offsets',
  ) {
    const parts = typeof table === 'string' ? table.split('.') : [];
    if (parts.length < 1 || parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
      throw new InvalidArgumentError(
        'offset table',
        `"${table}" must be [schema.]table, each a letter or underscore then at most 62 letters, digits or underscores`,
      );
    }
    this.quoted = parts.map((part) => `"${part}"`).join('.');
    const leaseParts = [...parts.slice(0, -1), `${parts.at(-1)}_leases`];
    if (!IDENTIFIER.test(leaseParts.at(-1)!)) {
      throw new InvalidArgumentError(
        'offset table',
        `its lease table "${leaseParts.at(-1)}" would exceed 63 characters; use a shorter table name`,
      );
    }
    this.owned = typeof poolOrUrl === 'string';
    this.pool = typeof poolOrUrl === 'string' ? openPool(poolOrUrl) : Promise.resolve(poolOrUrl);
    // Reported on first use instead; an unobserved rejection here would crash the process.
    this.pool.catch(() => undefined);
    this.leases = new PostgresOffsetLeases(
      leaseParts.map((part) => `"${part}"`).join('.'),
      (name) => this.prepared(name),
    );
  }

  async get(name: string): Promise<number> {
    const pool = await this.prepared(name);
    const { rows } = await pool.query<{ position: string }>(
      `SELECT position FROM ${this.quoted} WHERE name = $1`,
      [name],
    );
    return rows.length ? parseStoredOffset(name, rows[0].position) : 0;
  }

  /** Saves `position` unless a higher one is stored (an offset never moves back). */
  async save(name: string, position: number): Promise<void> {
    assertOffset(name, position);
    const pool = await this.prepared(name);
    await pool.query(
      `INSERT INTO ${this.quoted} (name, position) VALUES ($1, $2) ` +
        `ON CONFLICT (name) DO UPDATE SET position = GREATEST(${this.quoted}.position, EXCLUDED.position), ` +
        'updated_at = now()',
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
        `CREATE TABLE IF NOT EXISTS ${this.quoted} (
          name TEXT COLLATE "C" NOT NULL PRIMARY KEY,
          position BIGINT NOT NULL CHECK (position >= 0),
          updated_at TIMESTAMPTZ(3) NOT NULL DEFAULT now()
        )`,
      )
      .then(() => undefined)
      .catch((error: unknown) => {
        this.ready = undefined;
        // Two stores creating one table at once: the loser's catalog insert collides; it exists now.
        if ((error as { code?: string }).code === '23505') return;
        throw error;
      });
    await this.ready;
    return pool;
  }
}

async function openPool(url: string): Promise<Pool> {
  // Loaded on demand: applications that keep offsets elsewhere never load the driver.
  const pg = await loadPg('PostgresOffsetStore');
  const pool = new pg.Pool({ connectionString: url });
  pool.on('error', () => undefined);
  return pool;
}
