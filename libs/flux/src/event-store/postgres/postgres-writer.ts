import type { Pool, PoolClient, QueryResult } from 'pg';
import { isVersionConflict } from './postgres-error-mapping.js';
import { type AppendRequest, batchAppendSql, MAX_BATCH_ROWS } from './postgres-batch-statement.js';
import type { PostgresStatements } from './postgres-statements.js';

/**
 * Positions of the stored rows by version; empty when the stream was not at the base version.
 * @internal
 */
export type StoredPositions = Map<number, number>;

interface Pending {
  request: AppendRequest;
  expiresAt: number;
  resolve(positions: StoredPositions): void;
  reject(error: unknown): void;
}

/**
 * Commits appends of this process. Positions are handed out under the sequence row lock, held
 * until the commit, so commits are serial; to keep that from making 16 writers as slow as one,
 * appends that arrive while a commit is in flight wait and then share one transaction (a group
 * commit: one lock hold and one WAL flush for the whole batch). An append alone takes the
 * one-statement path (`PostgresStatements.append`).
 * @internal
 */
export class PostgresWriter {
  private busy = false;
  private queue: Pending[] = [];

  constructor(
    private readonly pool: Pool,
    private readonly statements: PostgresStatements,
    private readonly queueTimeoutMs: number,
  ) {}

  write(request: AppendRequest): Promise<StoredPositions> {
    if (this.busy) {
      return new Promise((resolve, reject) =>
        this.queue.push({ request, expiresAt: Date.now() + this.queueTimeoutMs, resolve, reject }),
      );
    }
    this.busy = true;
    return this.single(request).finally(() => this.drainSoon());
  }

  /**
   * Takes the next batch once the writers just answered had their turn to append again (their
   * continuations run before `setImmediate`), so they join it instead of trickling in one by one.
   */
  private drainSoon(): void {
    setImmediate(() => this.drain());
  }

  private drain(): void {
    const batch = this.take();
    if (batch.length === 0) {
      this.busy = false;
      return;
    }
    void this.commit(batch).finally(() => this.drainSoon());
  }

  /** The next batch: the oldest waiting appends, one per aggregate, within the row limit. */
  private take(): Pending[] {
    const now = Date.now();
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    const aggregates = new Set<string>();
    let rows = 0;
    for (const pending of this.queue) {
      const { aggregateId, rows: events } = pending.request;
      if (pending.expiresAt < now) {
        // Its caller has given up (and was told the store is unavailable): never write it late.
        pending.reject(
          Object.assign(new Error('no turn to commit in time'), { code: 'ETIMEDOUT' }),
        );
      } else if (
        aggregates.has(aggregateId) ||
        (batch.length > 0 && rows + events.length > MAX_BATCH_ROWS)
      ) {
        rest.push(pending);
      } else {
        batch.push(pending);
        aggregates.add(aggregateId);
        rows += events.length;
      }
    }
    this.queue = rest;
    return batch;
  }

  private async commit(batch: Pending[]): Promise<void> {
    if (batch.length === 1) {
      await this.single(batch[0].request).then(batch[0].resolve, batch[0].reject);
      return;
    }
    let results: StoredPositions[];
    try {
      results = await this.many(batch.map((pending) => pending.request));
    } catch (error) {
      if (!(error instanceof RolledBack)) {
        // The commit's outcome is unknown: running the appends again could store them twice.
        for (const pending of batch) pending.reject(error);
        return;
      }
      // Nothing was stored; one append may be at fault, so each runs alone and only it fails.
      for (const pending of batch) {
        await this.single(pending.request).then(pending.resolve, pending.reject);
      }
      return;
    }
    batch.forEach((pending, k) => pending.resolve(results[k]));
  }

  /** One append, one statement; a stream that moved stores nothing (empty result). */
  private async single(request: AppendRequest): Promise<StoredPositions> {
    const values: unknown[] = [
      request.aggregateId,
      request.aggregateName,
      request.base,
      request.createdAt,
    ];
    for (const row of request.rows) values.push(row.eventId, row.type, row.data, row.metadata);
    try {
      const result = await this.pool.query<{ version: number; position: string }>({
        ...this.statements.append(request.rows.length),
        values,
      });
      return new Map(result.rows.map((row) => [row.version, Number(row.position)]));
    } catch (error) {
      if (isVersionConflict(error, this.statements.tables.versionKey)) return new Map();
      throw error;
    }
  }

  /**
   * Several appends in one transaction, sent as one query (see `batchAppendSql`). Throws
   * `RolledBack` when the server refused a statement and the transaction was rolled back, any
   * other error when the outcome is unknown (the connection failed or a statement timed out).
   */
  private async many(requests: AppendRequest[]): Promise<StoredPositions[]> {
    const client = await this.pool.connect();
    let broken = true;
    try {
      const sql = batchAppendSql(this.statements.tables, requests, (value) =>
        client.escapeLiteral(value),
      );
      const results = (await client.query(sql)) as unknown as Array<QueryResult<BatchRow>>;
      broken = false;
      return positionsByRequest(requests, results[2].rows);
    } catch (error) {
      if (isRefusedStatement(error) && (await rollback(client))) {
        broken = false;
        throw new RolledBack(error);
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

interface BatchRow {
  aggregate_id: string;
  version: number;
  position: string;
}

/** The server refused a statement of the batch: nothing of it was committed. */
class RolledBack extends Error {
  constructor(cause: unknown) {
    super('batch rolled back', { cause });
  }
}

/** An ERROR-level refusal, not a timeout: the session lives on and the transaction is aborted. */
function isRefusedStatement(error: unknown): boolean {
  const { severity, code } = error as { severity?: string; code?: string };
  return severity === 'ERROR' && code !== '57014';
}

function positionsByRequest(requests: AppendRequest[], rows: BatchRow[]): StoredPositions[] {
  const stored = new Map<string, StoredPositions>();
  for (const row of rows) {
    let positions = stored.get(row.aggregate_id);
    if (!positions) stored.set(row.aggregate_id, (positions = new Map()));
    positions.set(row.version, Number(row.position));
  }
  return requests.map((request) => stored.get(request.aggregateId) ?? new Map());
}

async function rollback(client: PoolClient): Promise<boolean> {
  try {
    await client.query('ROLLBACK');
    return true;
  } catch {
    return false;
  }
}
