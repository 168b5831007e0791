import { randomUUID } from 'node:crypto';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { assertValidTablePrefix, type SqlRunner } from './mysql-schema.js';
import { InvalidStateError } from '../../errors/invalid-state.error.js';

/**
 * The key of the store identity row in `<prefix>meta`.
 * @internal
 */
export const STORE_ID_KEY = 'store_id';

/**
 * The quoted name of a store's key/value meta table: `<prefix>meta` (`flux_meta` by default).
 * @internal
 */
export function fluxMetaTableName(prefix: string): string {
  assertValidTablePrefix(prefix);
  return `\`${prefix}meta\``;
}

/**
 * DDL of the meta table and its identity row. The id is generated here rather than with SQL's
 * `UUID()`, which statement-based replication treats as unsafe; `INSERT IGNORE` keeps the first
 * id when several processes create the tables at once.
 * @internal
 */
export function createFluxMetaSql(prefix: string, storeId: string = randomUUID()): string[] {
  const table = fluxMetaTableName(prefix);
  return [
    `CREATE TABLE IF NOT EXISTS ${table} (
      meta_key VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      meta_value VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
      PRIMARY KEY (meta_key)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
    `INSERT IGNORE INTO ${table} (meta_key, meta_value) VALUES ('${STORE_ID_KEY}', '${storeId}')`,
  ];
}

/**
 * Creates the meta table and the store's identity row (idempotent).
 * @internal
 */
export async function ensureFluxMeta(prefix: string, query: SqlRunner): Promise<void> {
  for (const sql of createFluxMetaSql(prefix)) await query(sql);
}

/**
 * Reads (and on first use creates) the persistent identity of one store's tables. Databases
 * created before the meta table existed get it on the first call; concurrent first calls agree
 * on one id because the row is inserted with `INSERT IGNORE` and read back.
 * @internal
 */
export class MysqlStoreIdentity {
  private id?: Promise<string>;

  constructor(
    private readonly pool: Pool,
    private readonly prefix: string,
  ) {}

  get(): Promise<string> {
    this.id ??= this.load().catch((error: unknown) => {
      this.id = undefined;
      throw error;
    });
    return this.id;
  }

  private async load(): Promise<string> {
    const existing = await this.select().catch((error: { code?: string }) => {
      if (error?.code !== 'ER_NO_SUCH_TABLE') throw error;
      return null;
    });
    if (existing) return existing;
    await ensureFluxMeta(this.prefix, async (sql) => (await this.pool.query(sql))[0]);
    const created = await this.select();
    if (!created) {
      throw new InvalidStateError(
        `no ${STORE_ID_KEY} row in ${fluxMetaTableName(this.prefix)} right after creating it: ` +
          'check that the connection may insert into that table',
      );
    }
    return created;
  }

  private async select(): Promise<string | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT meta_value FROM ${fluxMetaTableName(this.prefix)} WHERE meta_key = ?`,
      [STORE_ID_KEY],
    );
    return rows.length ? String(rows[0].meta_value) : null;
  }
}
