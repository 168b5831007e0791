import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import { isRetryableLockError } from './mysql-error-mapping.js';
import type { MysqlStatements } from './mysql-statements.js';

/**
 * Positions a pass assigned, keyed by `positionKey(aggregateId, version)`.
 * @internal
 */
export type AssignedPositions = Map<string, number>;

/** @internal */
export const positionKey = (aggregateId: string, version: number): string =>
  `${aggregateId}\u0000${version}`;

const PASS_ATTEMPTS = 5;

/**
 * Positions rows that were committed without one (by a version of the store that wrote them so,
 * or by a writer that died before its pass), always under the sequence row lock and visible with
 * the commit that releases it: a pass numbers every committed unpositioned row in insertion
 * order. Passes see only committed rows, so a reader can never see a position before all lower
 * ones. Appends take their positions in their own group's INSERT (`MysqlGroupCommitter`).
 *
 * Within a process, passes are coalesced: while one runs, every caller that asks meanwhile
 * shares the single pass that starts after it.
 * @internal
 */
export class MysqlSequencer {
  private running: Promise<void> | null = null;
  private queued: Promise<AssignedPositions> | null = null;

  constructor(
    private readonly pool: Pool,
    private readonly statements: MysqlStatements,
  ) {}

  /** A pass that starts after every commit that happened before this call. */
  sequence(): Promise<AssignedPositions> {
    if (!this.running) return this.track(this.executeWithRetry());
    this.queued ??= this.running.then(() => {
      this.queued = null;
      return this.sequence();
    });
    return this.queued;
  }

  private track(pass: Promise<AssignedPositions>): Promise<AssignedPositions> {
    const settled = pass.then(
      () => undefined,
      () => undefined,
    );
    this.running = settled;
    void settled.then(() => {
      if (this.running === settled) this.running = null;
    });
    return pass;
  }

  private async executeWithRetry(): Promise<AssignedPositions> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.execute(this.statements.pass, []);
      } catch (error) {
        if (!isRetryableLockError(error) || attempt >= PASS_ATTEMPTS) throw error;
      }
    }
  }

  private async execute(sql: string, values: unknown[]): Promise<AssignedPositions> {
    const connection = await this.pool.getConnection();
    let healthy = true;
    try {
      const [results] = await connection.query(sql, values);
      const rows = (results as unknown[]).at(-1) as RowDataPacket[];
      const assigned: AssignedPositions = new Map();
      for (const row of rows)
        assigned.set(positionKey(row.aggregate_id, row.version), Number(row.position));
      return assigned;
    } catch (error) {
      healthy = await rollback(connection);
      throw error;
    } finally {
      if (healthy) connection.release();
      else connection.destroy();
    }
  }
}

/** A packet that failed mid-way may leave its transaction open on the pooled connection. */
async function rollback(connection: PoolConnection): Promise<boolean> {
  try {
    await connection.query('ROLLBACK');
    return true;
  } catch {
    return false;
  }
}
