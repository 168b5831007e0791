import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';

const MAX_TABLE_NAME = 64;

/**
 * Leases of feed consumer names as rows (`name`, `holder`, `expires_at`) of one table, with
 * expiries by the database's clock (`NOW(3)`), so the replicas' clocks never matter. Each
 * operation is one statement, atomic under the row lock.
 * @internal
 */
export class MysqlOffsetLeases {
  private ready?: Promise<void>;

  constructor(
    private readonly table: string,
    /** The offset store's pool, once its own table exists. */
    private readonly pool: (name: string) => Promise<Pool>,
  ) {}

  /** Takes the row when it is free, expired or already this token's; true when held now. */
  async acquire(name: string, token: string, ttlMs: number): Promise<boolean> {
    const pool = await this.prepared(name);
    // Assignments run left to right: `expires_at` sees the `holder` just decided.
    await pool.query(
      `INSERT INTO \`${this.table}\` (name, holder, expires_at)
       VALUES (?, ?, NOW(3) + INTERVAL ? MICROSECOND)
       ON DUPLICATE KEY UPDATE
         holder = IF(expires_at < NOW(3) OR holder = VALUES(holder), VALUES(holder), holder),
         expires_at = IF(holder = VALUES(holder), VALUES(expires_at), expires_at)`,
      [name, token, ttlMs * 1000],
    );
    return (await this.token(name)) === token;
  }

  async renew(name: string, token: string, ttlMs: number): Promise<boolean> {
    const pool = await this.prepared(name);
    const [result] = await pool.query<ResultSetHeader>(
      `UPDATE \`${this.table}\` SET expires_at = NOW(3) + INTERVAL ? MICROSECOND
       WHERE name = ? AND holder = ? AND expires_at >= NOW(3)`,
      [ttlMs * 1000, name, token],
    );
    return result.affectedRows === 1;
  }

  async release(name: string, token: string): Promise<void> {
    const pool = await this.prepared(name);
    await pool.query(`DELETE FROM \`${this.table}\` WHERE name = ? AND holder = ?`, [name, token]);
  }

  /** The holder's token while the lease runs, else null. */
  async token(name: string): Promise<string | null> {
    const pool = await this.prepared(name);
    const [rows] = await pool.query<RowDataPacket[]>(
      `SELECT holder FROM \`${this.table}\` WHERE name = ? AND expires_at >= NOW(3)`,
      [name],
    );
    return rows.length ? String(rows[0].holder) : null;
  }

  private async prepared(name: string): Promise<Pool> {
    if (this.table.length > MAX_TABLE_NAME) {
      throw new InvalidArgumentError(
        'offset table',
        `its lease table "${this.table}" would exceed ${MAX_TABLE_NAME} characters; use a shorter table name`,
      );
    }
    const pool = await this.pool(name);
    this.ready ??= pool
      .query(
        `CREATE TABLE IF NOT EXISTS \`${this.table}\` (
          name VARCHAR(255) NOT NULL PRIMARY KEY,
          holder VARCHAR(255) NOT NULL,
          expires_at TIMESTAMP(3) NOT NULL
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
