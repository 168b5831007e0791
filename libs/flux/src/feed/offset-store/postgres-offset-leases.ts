import type { Pool } from 'pg';

/**
 * Leases of feed consumer names as rows (`name`, `holder`, `expires_at`) of one table, with
 * expiries by the database's clock (`clock_timestamp()`), so the replicas' clocks never matter.
 * Each operation is one statement, atomic under the row lock.
 * @internal
 */
export class PostgresOffsetLeases {
  private ready?: Promise<void>;

  constructor(
    /** Quoted, possibly schema-qualified table name. */
    private readonly table: string,
    /** The offset store's pool, once its own table exists. */
    private readonly pool: (name: string) => Promise<Pool>,
  ) {}

  /** Takes the row when it is free, expired or already this token's; true when held now. */
  async acquire(name: string, token: string, ttlMs: number): Promise<boolean> {
    const pool = await this.prepared(name);
    const { rows } = await pool.query<{ holder: string }>(
      `INSERT INTO ${this.table} AS l (name, holder, expires_at)
       VALUES ($1, $2, clock_timestamp() + $3 * interval '1 millisecond')
       ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
         WHERE l.expires_at < clock_timestamp() OR l.holder = EXCLUDED.holder
       RETURNING holder`,
      [name, token, ttlMs],
    );
    return rows.length === 1 && rows[0].holder === token;
  }

  async renew(name: string, token: string, ttlMs: number): Promise<boolean> {
    const pool = await this.prepared(name);
    const { rowCount } = await pool.query(
      `UPDATE ${this.table} SET expires_at = clock_timestamp() + $1 * interval '1 millisecond'
       WHERE name = $2 AND holder = $3 AND expires_at >= clock_timestamp()`,
      [ttlMs, name, token],
    );
    return rowCount === 1;
  }

  async release(name: string, token: string): Promise<void> {
    const pool = await this.prepared(name);
    await pool.query(`DELETE FROM ${this.table} WHERE name = $1 AND holder = $2`, [name, token]);
  }

  /** The holder's token while the lease runs, else null. */
  async token(name: string): Promise<string | null> {
    const pool = await this.prepared(name);
    const { rows } = await pool.query<{ holder: string }>(
      `SELECT holder FROM ${this.table} WHERE name = $1 AND expires_at >= clock_timestamp()`,
      [name],
    );
    return rows.length ? rows[0].holder : null;
  }

  private async prepared(name: string): Promise<Pool> {
    const pool = await this.pool(name);
    this.ready ??= pool
      .query(
        `CREATE TABLE IF NOT EXISTS ${this.table} (
          name TEXT COLLATE "C" NOT NULL PRIMARY KEY,
          holder TEXT NOT NULL,
          expires_at TIMESTAMPTZ(3) NOT NULL
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
