import { randomUUID } from 'node:crypto';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { ConcurrencyError } from '../../errors/concurrency.error.js';
import { FluxError } from '../../errors/flux.error.js';
import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';
import { SerializationError } from '../../errors/serialization.error.js';
import type { AppendOptions, NewEvent, StoredEvent } from '../event-store.types.js';
import { isRetryableLockError, isVersionConflict } from './mysql-error-mapping.js';
import { positionKey, type AssignedPositions, type MysqlSequencer } from './mysql-sequencer.js';
import type { MysqlStatements } from './mysql-statements.js';
import type { StreamVersionCache } from './stream-version-cache.js';

/** How often `expectedVersion: 'any'` re-reads the head after losing a race. */
const ANY_ATTEMPTS = 20;
/** Attempts of an append whose transaction InnoDB rolled back as a deadlock victim. */
const LOCK_ATTEMPTS = 5;
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
 */
export class MysqlAppender {
  constructor(
    private readonly pool: Pool,
    private readonly statements: MysqlStatements,
    private readonly sequencer: MysqlSequencer,
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
    let lockFailures = 0;
    for (let attempt = 1; ; attempt++) {
      const base = await this.baseVersion(
        aggregateId,
        name,
        options.expectedVersion,
        events.length,
      );
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
      let assigned: AssignedPositions;
      try {
        assigned = await this.sequencer.insertAndSequence(rows.length, values);
      } catch (error) {
        if (isVersionConflict(error)) {
          const actual = (await this.head(aggregateId))?.version ?? 0;
          if (options.expectedVersion === 'any' && attempt < ANY_ATTEMPTS) continue;
          throw new ConcurrencyError(name, aggregateId, base, actual);
        }
        // Concurrent writers of one aggregate can deadlock between their inserts and the sequence
        // row lock; InnoDB rolled the victim back whole, so running it again is safe and ends in
        // success or in the duplicate key above.
        if (isRetryableLockError(error) && ++lockFailures < LOCK_ATTEMPTS) {
          attempt--;
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * lockFailures));
          continue;
        }
        // The pass part of the packet may have failed after the INSERT committed.
        if (!(await this.exists(rows[0].eventId))) throw error;
        assigned = new Map();
      }
      const positions = await this.positionsOf(aggregateId, base + 1, base + rows.length, assigned);
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
