import type { Pool, ResultSetHeader } from 'mysql2/promise';
import { isRetryableLockError, isVersionConflict } from './mysql-error-mapping.js';
import { conflictingMember, nothingCommitted } from './mysql-group-failure.js';
import type { MysqlStatements } from './mysql-statements.js';
import type { GroupMember } from './mysql-group-member.js';

export type { GroupMember } from './mysql-group-member.js';

/**
 * Columns bound per event row of the INSERT (see `MysqlStatements.insertGroup`).
 * @internal
 */
export const VALUES_PER_ROW = 8;

/**
 * How big one group may grow; a single larger append still goes, alone.
 * @internal
 */
export interface GroupCommitLimits {
  maxEvents: number;
  maxBytes: number;
  /** Groups sent at once; each waits at the server for the sequence row lock. */
  inFlight: number;
}

/** @internal */
export const DEFAULT_GROUP_COMMIT_LIMITS: GroupCommitLimits = {
  maxEvents: 500,
  maxBytes: 1 << 20,
  inFlight: 2,
};

interface Pending extends GroupMember {
  resolve(positions: number[]): void;
  reject(error: unknown): void;
  /** Committed on its own: its group failed and could not tell which member was at fault. */
  alone: boolean;
}

/**
 * Group commit of the appends of one process. While a group's transaction runs, appends queue;
 * the next group takes all of them (one transaction, one INSERT, one log flush, one round
 * trip). Each member keeps its own optimistic check and atomicity: a member whose rows hit the
 * unique (aggregate_id, version) key fails alone with that error and the group is sent again
 * without it; any other server error that leaves nothing committed sends every member again on
 * its own, so one bad append (too large a packet, say) cannot fail the others.
 * @internal
 */
export class MysqlGroupCommitter {
  private readonly queue: Pending[] = [];
  private running = 0;
  private scheduled = false;
  /** Aggregates of the groups in flight. */
  private readonly busy = new Set<string>();

  constructor(
    private readonly pool: Pool,
    private readonly statements: MysqlStatements,
    private readonly limits: GroupCommitLimits = DEFAULT_GROUP_COMMIT_LIMITS,
  ) {}

  /** Stores the member's rows; resolves to their positions, in row order. */
  commit(member: GroupMember): Promise<number[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...member, resolve, reject, alone: false });
      this.schedule();
    });
  }

  /**
   * Starts groups once the current tick's work is done while a group is in flight: writers
   * that a finished group just released submit their next appends in the same tick, and should
   * ride together rather than one going alone ahead of the rest. Up to `inFlight` groups are
   * sent at once, the queue split evenly between the free slots: while one group holds the
   * sequence row lock through its commit, the next is already parsed and waiting for the lock
   * at the server, so no client round trip separates two commits.
   */
  private schedule(): void {
    if (this.scheduled || this.running >= this.limits.inFlight || this.queue.length === 0) return;
    this.scheduled = true;
    // With no group in flight nobody is about to be released to ride along: a lone append goes
    // at once (after the current microtasks, so a burst of appends made together still shares).
    const defer = this.running === 0 ? queueMicrotask : setImmediate;
    defer(() => {
      this.scheduled = false;
      while (this.running < this.limits.inFlight && this.queue.length > 0) {
        const group = this.take(
          Math.ceil(this.queue.length / (this.limits.inFlight - this.running)),
        );
        if (group.length === 0) return;
        this.running++;
        void this.run(group).finally(() => {
          for (const member of group) this.busy.delete(member.aggregateId);
          this.running--;
          this.schedule();
        });
      }
    });
  }

  /**
   * The next group, in arrival order: up to `members` queued appends, as many as the limits
   * allow, but never two of one aggregate, neither inside the group nor beside a group in
   * flight (their versions would collide; the later one waits its turn). Empty when every
   * queued append waits for a group in flight.
   */
  private take(members: number): Pending[] {
    const group: Pending[] = [];
    let events = 0;
    let bytes = 0;
    for (let i = 0; i < this.queue.length && group.length < members;) {
      const next = this.queue[i];
      if (this.busy.has(next.aggregateId)) {
        i++;
        continue;
      }
      if (group.length > 0) {
        if (events + next.count > this.limits.maxEvents) break;
        if (bytes + next.bytes > this.limits.maxBytes) break;
        if (next.alone) {
          i++;
          continue;
        }
      }
      this.queue.splice(i, 1);
      next.refresh?.();
      group.push(next);
      this.busy.add(next.aggregateId);
      events += next.count;
      bytes += next.bytes;
      if (next.alone) break;
    }
    return group;
  }

  private async run(group: Pending[]): Promise<void> {
    let last: number;
    try {
      last = await this.execute(group);
    } catch (error) {
      this.failed(group, error);
      return;
    }
    for (const member of group) {
      member.resolve(Array.from({ length: member.count }, (_, i) => last + i + 1));
      last += member.count;
    }
  }

  private failed(group: Pending[], error: unknown): void {
    // Alone, a lock victim (rolled back whole; each append retries), or a failure after which
    // the commit may have happened: every member gets the error and checks for itself.
    if (group.length === 1 || isRetryableLockError(error) || !nothingCommitted(error)) {
      for (const member of group) member.reject(error);
      return;
    }
    const culprit = isVersionConflict(error) ? conflictingMember(group, error) : undefined;
    if (culprit) culprit.reject(error);
    const again = group.filter((member) => member !== culprit);
    if (!culprit) for (const member of again) member.alone = true;
    this.queue.unshift(...again);
  }

  private async execute(group: Pending[]): Promise<number> {
    const count = group.reduce((sum, member) => sum + member.count, 0);
    const values = group.length === 1 ? group[0].values : group.flatMap((m) => m.values);
    const connection = await this.pool.getConnection();
    let healthy = true;
    try {
      const [results] = await connection.query(this.statements.insertGroup(count), values);
      // The UPDATE's OK packet carries the new last position (`LAST_INSERT_ID(expr)`).
      const [, sequence] = results as ResultSetHeader[];
      return Number(sequence.insertId) - count;
    } catch (error) {
      // A failed statement leaves its transaction (and the sequence row lock) open.
      healthy = await connection.query('ROLLBACK').then(
        () => true,
        () => false,
      );
      throw error;
    } finally {
      if (healthy) connection.release();
      else connection.destroy();
    }
  }
}
