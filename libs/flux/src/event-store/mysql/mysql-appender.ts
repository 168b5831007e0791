import { randomUUID } from 'node:crypto';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { ConcurrencyError } from '../../errors/concurrency.error.js';
import { FluxError } from '../../errors/flux.error.js';
import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';
import { SerializationError } from '../../errors/serialization.error.js';
import type { AppendOptions, NewEvent, StoredEvent } from '../event-store.types.js';
import { isRetryableLockError, isVersionConflict } from './mysql-error-mapping.js';
import {
  VALUES_PER_ROW,
  type GroupMember,
  type MysqlGroupCommitter,
} from './mysql-group-commit.js';
import { positionKey, type AssignedPositions, type MysqlSequencer } from './mysql-sequencer.js';
import type { MysqlStatements } from './mysql-statements.js';
import { RetryBudget } from './retry-budget.js';
import type { StreamVersionCache } from './stream-version-cache.js';

/** How often `expectedVersion: 'any'` re-reads the head after losing a race. */
const ANY_ATTEMPTS = 20;
/** Attempts of an append whose transaction InnoDB rolled back as a deadlock victim. */
const LOCK_ATTEMPTS = 5;
/** Bytes a row adds to the packet beyond its strings (ids, version, date, escaping). */
const ROW_OVERHEAD = 120;
/** Reads of our own rows' positions before giving up on a pass that never came. */
const POSITION_ATTEMPTS = 5;

interface Head {
  name: string;
  version: number;
}

/**
 * The write path. Optimistic check = the UNIQUE (aggregate_id, version) key: the INSERT either
 * stores every event or fails on the duplicate, which is the conflict. That the expected version
 * exists is proven by a read before (rows never change, so it stays proven) or by the cache.
 * @internal
 */
export class MysqlAppender {
  constructor(
    private readonly pool: Pool,
    private readonly statements: MysqlStatements,
    private readonly sequencer: MysqlSequencer,
    private readonly committer: MysqlGroupCommitter,
    private readonly cache: StreamVersionCache,
  ) {}

  async append(
    aggregateId: string,
    events: NewEvent[],
    options: AppendOptions,
  ): Promise<StoredEvent[]> {
    const name = options.aggregateName;
    const createdAt = new Date();
    const rows = events.map((event, i) => ({
      eventId: randomUUID(),
      type: event.type,
      data: toJson(`events[${i}].data (${event.type})`, event.data),
      metadata: toJson(`events[${i}].metadata (${event.type})`, event.metadata ?? {}),
    }));
    const bytes = rows.reduce(
      (sum, row) =>
        sum +
        ROW_OVERHEAD +
        aggregateId.length +
        name.length +
        row.type.length +
        row.data.length +
        row.metadata.length,
      0,
    );
    const retries = new RetryBudget({ conflict: ANY_ATTEMPTS, lock: LOCK_ATTEMPTS });
    for (;;) {
      let base = await this.baseVersion(aggregateId, name, options.expectedVersion, events.length);
      if (rows.length === 0) return [];
      const values: unknown[] = [];
      rows.forEach((row, i) =>
        values.push(
          row.eventId,
          aggregateId,
          name,
          base + i + 1,
          row.type,
          row.data,
          row.metadata,
          createdAt,
        ),
      );
      const member: GroupMember = {
        aggregateId,
        firstVersion: base + 1,
        count: rows.length,
        values,
        bytes,
      };
      if (options.expectedVersion === 'any') {
        // Appends of this process that committed while this one queued moved the head on:
        // follow them instead of losing the race to a version known to be taken.
        member.refresh = () => {
          const known = this.cache.version(aggregateId, name);
          if (known === undefined || known <= base) return;
          base = known;
          member.firstVersion = base + 1;
          for (let i = 0; i < rows.length; i++) values[i * VALUES_PER_ROW + 3] = base + i + 1;
        };
      }
      let positions: number[];
      try {
        positions = await this.committer.commit(member);
      } catch (error) {
        if (isVersionConflict(error)) {
          const actual = (await this.head(aggregateId))?.version ?? 0;
          if (options.expectedVersion === 'any' && retries.retry('conflict')) continue;
          throw new ConcurrencyError(name, aggregateId, base, actual);
        }
        // A deadlock victim or lock wait timeout (writers of older versions insert before they
        // take the sequence row lock) stored nothing, so running it again is safe and ends in
        // success or in the duplicate key above.
        if (isRetryableLockError(error) && retries.retry('lock')) {
          const delay = Math.random() * 5 * retries.failed('lock');
          await new Promise((resolve) => setTimeout(resolve, delay));
          continue;
        }
        // The connection may have dropped after the COMMIT: then the rows are there, positioned.
        if (!(await this.exists(rows[0].eventId))) throw error;
        positions = await this.positionsOf(aggregateId, base + 1, base + rows.length, new Map());
      }
      this.cache.remember(aggregateId, name, base + rows.length);
      return rows.map((row, i) => ({
        eventId: row.eventId,
        aggregateId,
        aggregateName: name,
        version: base + i + 1,
        position: positions[i],
        type: row.type,
        data: JSON.parse(row.data),
        metadata: JSON.parse(row.metadata),
        createdAt,
      }));
    }
  }

  /** The latest event of a stream (its name and version), or null for a new stream. */
  async head(aggregateId: string): Promise<Head | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>(this.statements.selectHead, [
      aggregateId,
    ]);
    return rows.length ? { name: rows[0].aggregate_name, version: rows[0].version } : null;
  }

  /** The version the new events follow, after proving the stream is at it and is a `name`. */
  private async baseVersion(
    aggregateId: string,
    name: string,
    expected: number | 'any',
    count: number,
  ): Promise<number> {
    // With events to insert, the INSERT's unique key proves nobody went past `expected`; what
    // is left to prove is that the stream reached it (always true for 0).
    if (count > 0 && expected !== 'any') {
      if (expected === 0 || this.cache.confirms(aggregateId, name, expected)) return expected;
    }
    const head = await this.head(aggregateId);
    const actual = head?.version ?? 0;
    if (expected !== 'any' && expected !== actual) {
      throw new ConcurrencyError(name, aggregateId, expected, actual);
    }
    if (head && head.name !== name) {
      throw new InvalidArgumentError(
        'aggregateName',
        `aggregate "${aggregateId}" is a ${head.name}, not a ${name}`,
      );
    }
    if (head) this.cache.remember(aggregateId, head.name, head.version);
    return actual;
  }

  private async positionsOf(
    aggregateId: string,
    from: number,
    to: number,
    assigned: AssignedPositions,
  ): Promise<number[]> {
    const versions = Array.from({ length: to - from + 1 }, (_, i) => from + i);
    for (let attempt = 1; ; attempt++) {
      if (versions.every((v) => assigned.has(positionKey(aggregateId, v)))) {
        return versions.map((v) => assigned.get(positionKey(aggregateId, v)) as number);
      }
      // Another pass (of this or another process) may have positioned our rows already.
      const [rows] = await this.pool.query<RowDataPacket[]>(this.statements.selectPositions, [
        aggregateId,
        from,
        to,
      ]);
      for (const row of rows) {
        if (row.position !== null)
          assigned.set(positionKey(aggregateId, row.version), Number(row.position));
      }
      if (versions.every((v) => assigned.has(positionKey(aggregateId, v)))) continue;
      if (attempt >= POSITION_ATTEMPTS) {
        throw new FluxError(
          'EVENT_STORE_SEQUENCING',
          `Events ${from}..${to} of "${aggregateId}" were stored but have no position yet; ` +
            'the next read of the global log positions them.',
        );
      }
      for (const [key, position] of await this.sequencer.sequence()) assigned.set(key, position);
    }
  }

  private async exists(eventId: string): Promise<boolean> {
    const [rows] = await this.pool.query<RowDataPacket[]>(this.statements.selectEvent, [eventId]);
    return rows.length > 0;
  }
}

function toJson(field: string, value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    throw new SerializationError(field, (error as Error).message, { cause: error });
  }
}
