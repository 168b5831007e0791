import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import { isRetryableLockError } from './mysql-error-mapping.js';
import type { MysqlStatements } from './mysql-statements.js';

/** Positions a pass assigned, keyed by `positionKey(aggregateId, version)`. */
export type AssignedPositions = Map<string, number>;

export const positionKey = (aggregateId: string, version: number): string =>
  `${aggregateId}\u0000${version}`;

const PASS_ATTEMPTS = 5;

/**
 * Gives events their global positions, always under the sequence row lock and visible with the
 * commit that releases it. An uncontended append takes its positions in its own INSERT; while
 * this process already holds the lock, writers commit with NULL positions and a pass numbers
 * every committed unpositioned row in insertion order. Passes see only committed rows, so a
 * reader can never see a position before all lower ones.
 *
 * Within a process, passes are coalesced: while one runs, every writer that commits meanwhile
 * shares the single pass that starts after it, so 16 writers do not queue 16 passes on the lock.
 */
export class MysqlSequencer {
  private running: Promise<void> | null = null;
  private queued: Promise<AssignedPositions> | null = null;

  constructor(
    private readonly pool: Pool,
    private readonly statements: MysqlStatements,
  ) {}

  /**
   * Stores `count` events and gives them positions. When nothing of this process holds the
   * sequence lock, the INSERT takes its positions under the lock itself (one packet, one commit);
   * otherwise it commits with NULL positions and joins the next pass, so concurrent writers share
   * passes instead of queueing on the lock. A failed INSERT rolls back and leaves nothing behind.
   */
  async insertAndSequence(count: number, values: unknown[]): Promise<AssignedPositions> {
    if (this.running) {
      await this.pool.query(this.statements.insert(count), values);
      return this.sequence();
    }
    return this.track(this.execute(this.statements.insertPositioned(count), values));
  }

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
