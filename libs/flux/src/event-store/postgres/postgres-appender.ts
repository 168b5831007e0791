import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { ConcurrencyError } from '../../errors/concurrency.error.js';
import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';
import { SerializationError } from '../../errors/serialization.error.js';
import type { AppendOptions, NewEvent, StoredEvent } from '../event-store.types.js';
import type { AppendRequest } from './postgres-batch-statement.js';
import type { PostgresStatements } from './postgres-statements.js';
import type { PostgresWriter } from './postgres-writer.js';

/** How often an append re-reads the head after losing a race (`'any'`) or a stale check. */
const ATTEMPTS = 20;

interface Head {
  name: string;
  version: number;
}

/**
 * The write path. The optimistic check is done by the write itself (see `PostgresWriter`): it
 * stores the events only while the stream stands at the expected version, so an uncontended
 * append is one round trip; a refused one is explained by reading the stream's head.
 * @internal
 */
export class PostgresAppender {
  constructor(
    private readonly pool: Pool,
    private readonly statements: PostgresStatements,
    private readonly writer: PostgresWriter,
  ) {}

  async append(
    aggregateId: string,
    events: NewEvent[],
    options: AppendOptions,
  ): Promise<StoredEvent[]> {
    const name = options.aggregateName;
    const expected = options.expectedVersion;
    const createdAt = new Date();
    const rows = events.map((event, i) => ({
      eventId: randomUUID(),
      type: event.type,
      data: toJson(`events[${i}].data (${event.type})`, event.data),
      metadata: toJson(`events[${i}].metadata (${event.type})`, event.metadata ?? {}),
    }));
    if (rows.length === 0) {
      const actual = await this.currentVersion(aggregateId, name);
      if (expected !== 'any' && actual !== expected) {
        throw new ConcurrencyError(name, aggregateId, expected, actual);
      }
      return [];
    }
    for (let attempt = 1; ; attempt++) {
      const base = expected === 'any' ? await this.currentVersion(aggregateId, name) : expected;
      const any = expected === 'any';
      const request: AppendRequest = {
        aggregateId,
        aggregateName: name,
        base,
        any,
        createdAt,
        rows,
      };
      const positions = await this.writer.write(request);
      if (positions.size === 0) {
        // The stream was not at `base` (as a `name`): say why, or retry when it has reached
        // `base` since (the check ran on a snapshot taken a moment earlier).
        const at = await this.currentVersion(aggregateId, name);
        if (attempt >= ATTEMPTS || (at !== base && expected !== 'any')) {
          throw new ConcurrencyError(name, aggregateId, base, at);
        }
        continue;
      }
      // An 'any' append that shared a commit follows the head it found under the lock.
      const first = Math.min(...positions.keys()) - 1;
      return rows.map((row, i) => ({
        eventId: row.eventId,
        aggregateId,
        aggregateName: name,
        version: first + i + 1,
        position: positions.get(first + i + 1) as number,
        type: row.type,
        data: JSON.parse(row.data),
        metadata: JSON.parse(row.metadata),
        createdAt,
      }));
    }
  }

  /** The latest event of a stream (its name and version), or null for a new stream. */
  async head(aggregateId: string): Promise<Head | null> {
    const { rows } = await this.pool.query<{ aggregate_name: string; version: number }>({
      ...this.statements.selectHead,
      values: [aggregateId],
    });
    return rows.length ? { name: rows[0].aggregate_name, version: rows[0].version } : null;
  }

  /** The stream's version, after proving it is a `name` (or new). */
  private async currentVersion(aggregateId: string, name: string): Promise<number> {
    const head = await this.head(aggregateId);
    if (head && head.name !== name) {
      throw new InvalidArgumentError(
        'aggregateName',
        `aggregate "${aggregateId}" is a ${head.name}, not a ${name}`,
      );
    }
    return head?.version ?? 0;
  }
}

function toJson(field: string, value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    throw new SerializationError(field, (error as Error).message, { cause: error });
  }
}
