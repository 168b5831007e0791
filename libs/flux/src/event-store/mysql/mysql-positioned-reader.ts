import { assertCount } from '../read-validation.js';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { EventRow } from './mysql-row-mapping.js';
import type { MysqlSequencer } from './mysql-sequencer.js';
import type { MysqlStatements } from './mysql-statements.js';

/**
 * Reads that never hand out an event without its position.
 * @internal
 */
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
   * With `needsPass`, whether any committed row waits for a position is asked in the same
   * packet, after the read (a caught-up reader of the log asks it every time: one round trip).
   */
  async read(
    sql: string,
    values: unknown[],
    needsPass?: (rows: EventRow[], unsequenced: boolean) => boolean,
  ): Promise<EventRow[]> {
    let rows: EventRow[];
    let unsequenced = false;
    if (needsPass) {
      const [results] = await this.pool.query(`${sql};\n${this.statements.hasUnsequenced}`, values);
      const [page, pending] = results as RowDataPacket[][];
      rows = page as EventRow[];
      unsequenced = pending.length > 0;
    } else {
      rows = (await this.pool.query<RowDataPacket[]>(sql, values))[0] as EventRow[];
    }
    for (let attempt = 1; attempt <= READ_PASSES; attempt++) {
      const pending = rows.some((row) => row.position === null);
      if (!pending && (attempt > 1 || !needsPass?.(rows, unsequenced))) return rows;
      await this.sequencer.sequence();
      rows = (await this.pool.query<RowDataPacket[]>(sql, values))[0] as EventRow[];
    }
    const firstPending = rows.findIndex((row) => row.position === null);
    return firstPending < 0 ? rows : rows.slice(0, firstPending);
  }
}

/** Passes a read may trigger before it settles for what is positioned. */
const READ_PASSES = 3;

/** @internal */
export function limitClause(limit: number | undefined): string {
  if (limit === undefined) return '';
  assertCount('limit', limit);
  return ` LIMIT ${limit}`;
}
