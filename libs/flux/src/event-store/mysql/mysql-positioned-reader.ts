import { assertCount } from '../read-validation.js';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { EventRow } from './mysql-row-mapping.js';
import type { MysqlSequencer } from './mysql-sequencer.js';
import type { MysqlStatements } from './mysql-statements.js';

/** Reads that never hand out an event without its position. */
export class MysqlPositionedReader {
  constructor(
    private readonly pool: Pool,
    private readonly statements: MysqlStatements,
    private readonly sequencer: MysqlSequencer,
  ) {}

  /**
   * Reads rows; when one has no position yet (committed, its pass still to come) or `needsPass`
   * says so, runs a pass and reads again, so callers only ever see positioned events. Should
   * writers keep committing in between, the result is cut before the first unpositioned row.
   */
  async read(
    sql: string,
    values: unknown[],
    needsPass: (rows: EventRow[]) => boolean | Promise<boolean> = () => false,
  ): Promise<EventRow[]> {
    let rows = (await this.pool.query<RowDataPacket[]>(sql, values))[0] as EventRow[];
    for (let attempt = 1; attempt <= READ_PASSES; attempt++) {
      const pending = rows.some((row) => row.position === null);
      if (!pending && (attempt > 1 || !(await needsPass(rows)))) return rows;
      await this.sequencer.sequence();
      rows = (await this.pool.query<RowDataPacket[]>(sql, values))[0] as EventRow[];
    }
    const firstPending = rows.findIndex((row) => row.position === null);
    return firstPending < 0 ? rows : rows.slice(0, firstPending);
  }

  async hasUnsequenced(): Promise<boolean> {
    const [rows] = await this.pool.query<RowDataPacket[]>(this.statements.hasUnsequenced);
    return rows.length > 0;
  }
}

/** Passes a read may trigger before it settles for what is positioned. */
const READ_PASSES = 3;

export function limitClause(limit: number | undefined): string {
  if (limit === undefined) return '';
  assertCount('limit', limit);
  return ` LIMIT ${limit}`;
}
