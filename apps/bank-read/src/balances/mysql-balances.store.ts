import { createPool, type Pool, type PoolConnection, type RowDataPacket } from 'mysql2/promise';
import type { ApplyResult, Balance, BalanceChange } from './balance.js';
import { BalancesStore } from './balances.store.js';
import { nextBalance } from './next-balance.js';

/**
 * Two first events racing on a missing row (duplicate key) or on its gap lock (deadlock): the
 * loser's transaction is rolled back whole, so running it again is safe.
 */
const RETRYABLE = new Set(['ER_DUP_ENTRY', 'ER_LOCK_DEADLOCK']);
const ATTEMPTS = 3;

/** Balances in their own table `<prefix>balances`, created at start-up. */
export class MysqlBalancesStore extends BalancesStore {
  readonly table: string;

  private constructor(
    /** Shared with the feed offset store; ended by `close()`. */
    readonly pool: Pool,
    tablePrefix: string,
  ) {
    super();
    this.table = `${tablePrefix}balances`;
  }

  static async create(url: string, tablePrefix: string): Promise<MysqlBalancesStore> {
    const store = new MysqlBalancesStore(createPool({ uri: url, connectionLimit: 5 }), tablePrefix);
    await store.pool.query(
      `CREATE TABLE IF NOT EXISTS \`${store.table}\` (
        id VARCHAR(255) NOT NULL PRIMARY KEY,
        owner VARCHAR(255) NOT NULL,
        balance BIGINT NOT NULL,
        version INT UNSIGNED NOT NULL,
        position BIGINT UNSIGNED NOT NULL,
        updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
        KEY by_balance (balance)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
    );
    return store;
  }

  /**
   * Reads the row under a lock and writes the next state in one transaction, so the version
   * check and the write cannot interleave with a redelivery handled elsewhere.
   */
  async apply(change: BalanceChange, attempt = 1): Promise<ApplyResult> {
    const conn = await this.pool.getConnection();
    try {
      await conn.beginTransaction();
      const result = await this.applyLocked(conn, change);
      await conn.commit();
      return result;
    } catch (error) {
      await conn.rollback().catch(() => undefined);
      if (attempt < ATTEMPTS && RETRYABLE.has((error as { code?: string }).code ?? '')) {
        return this.apply(change, attempt + 1);
      }
      throw error;
    } finally {
      conn.release();
    }
  }

  private async applyLocked(conn: PoolConnection, change: BalanceChange): Promise<ApplyResult> {
    const [rows] = await conn.query<RowDataPacket[]>(
      `SELECT id, owner, balance, version, position FROM \`${this.table}\` WHERE id = ? FOR UPDATE`,
      [change.accountId],
    );
    const current = rows.length ? toBalance(rows[0]) : null;
    const { result, next } = nextBalance(current, change);
    if (!next) return result;
    if (current) {
      await conn.query(
        `UPDATE \`${this.table}\` SET owner = ?, balance = ?, version = ?, position = ? WHERE id = ?`,
        [next.owner, next.balance, next.version, next.position, next.id],
      );
    } else {
      await conn.query(
        `INSERT INTO \`${this.table}\` (id, owner, balance, version, position) VALUES (?, ?, ?, ?, ?)`,
        [next.id, next.owner, next.balance, next.version, next.position],
      );
    }
    return result;
  }

  async get(id: string): Promise<Balance | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT id, owner, balance, version, position FROM \`${this.table}\` WHERE id = ?`,
      [id],
    );
    return rows.length ? toBalance(rows[0]) : null;
  }

  async top(limit: number): Promise<Balance[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT id, owner, balance, version, position FROM \`${this.table}\`
       ORDER BY balance DESC, id ASC LIMIT ?`,
      [limit],
    );
    return rows.map(toBalance);
  }

  async count(): Promise<number> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM \`${this.table}\``,
    );
    return Number(rows[0].n);
  }

  async lastPosition(): Promise<number> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT COALESCE(MAX(position), 0) AS p FROM \`${this.table}\``,
    );
    return Number(rows[0].p);
  }

  /** Drops the table: for tests that used a throw-away prefix. */
  async drop(): Promise<void> {
    await this.pool.query(`DROP TABLE IF EXISTS \`${this.table}\``);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

// BIGINT columns and aggregates may come back as strings, depending on the driver's options.
function toBalance(row: RowDataPacket): Balance {
  return {
    id: String(row.id),
    owner: String(row.owner),
    balance: Number(row.balance),
    version: Number(row.version),
    position: Number(row.position),
  };
}
