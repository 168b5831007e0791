import type { PostgresTableNames } from './postgres-schema.js';

/**
 * One append waiting for the batch: the stream, the version it follows and its rows.
 * @internal
 */
export interface AppendRequest {
  aggregateId: string;
  aggregateName: string;
  base: number;
  /** `expectedVersion: 'any'`: a batch appends after whatever the stream holds under the lock. */
  any: boolean;
  createdAt: Date;
  rows: Array<{ eventId: string; type: string; data: string; metadata: string }>;
}

/**
 * Rows of one batch at most: a bound on the statement's size (and on the lock's hold time).
 * @internal
 */
export const MAX_BATCH_ROWS = 2_000;

const COLUMNS =
  'position, event_id, aggregate_id, aggregate_name, version, type, data, metadata, created_at';

/**
 * A whole batch as one simple-protocol query, so the transaction costs a single round trip:
 * `BEGIN`, the sequence row lock (`SELECT … FOR UPDATE`), the append statement, `COMMIT`. Under
 * READ COMMITTED each statement takes its own snapshot, so the append statement's is taken after
 * the lock was granted and sees every event any writer committed (they all insert under that
 * lock): an append whose stream stands at its base version (and not past it) can be stored, the
 * others are left out whole and reported by their absence from the returned rows. An `'any'`
 * request (NULL base) follows the stream's head as the statement sees it, so it never loses a
 * race in a batch. Positions are numbered densely over the stored rows only. No two requests of
 * a batch share an aggregate. The simple protocol takes no parameters: every value goes through
 * `escape` (pg's `escapeLiteral`); numbers are integers the store validated.
 * @internal
 */
export function batchAppendSql(
  tables: PostgresTableNames,
  requests: AppendRequest[],
  escape: (value: string) => string,
): string {
  const tuples: string[] = [];
  requests.forEach((request, k) => {
    const aggregate = `${escape(request.aggregateId)}::text, ${escape(request.aggregateName)}::text`;
    const base = request.any ? 'NULL::int' : `${Math.trunc(request.base)}::int`;
    const createdAt = `${escape(request.createdAt.toISOString())}::timestamptz`;
    request.rows.forEach((row, i) => {
      tuples.push(
        `(${k}, ${i + 1}, ${aggregate}, ${base}, ${escape(row.eventId)}::uuid, ${escape(row.type)}::text, ` +
          `${escape(row.data)}::json, ${escape(row.metadata)}::json, ${createdAt})`,
      );
    });
  });
  const t = tables;
  const append =
    'WITH input (k, i, aggregate_id, aggregate_name, base, event_id, type, data, metadata, created_at) AS ' +
    `(VALUES ${tuples.join(', ')}), ` +
    'heads AS (SELECT a.k, a.aggregate_id, a.aggregate_name, CASE WHEN a.base IS NOT NULL THEN a.base ' +
    `ELSE COALESCE((SELECT max(e.version) FROM ${t.events} e WHERE e.aggregate_id = a.aggregate_id), 0) END AS b ` +
    'FROM input a WHERE a.i = 1), ' +
    'ok AS (SELECT h.k, h.b FROM heads h WHERE ' +
    `(h.b = 0 OR EXISTS (SELECT 1 FROM ${t.events} e WHERE e.aggregate_id = h.aggregate_id ` +
    'AND e.version = h.b AND e.aggregate_name = h.aggregate_name)) ' +
    `AND NOT EXISTS (SELECT 1 FROM ${t.events} e WHERE e.aggregate_id = h.aggregate_id AND e.version = h.b + 1)), ` +
    'numbered AS (SELECT input.*, ok.b, row_number() OVER (ORDER BY input.k, input.i) AS n FROM input JOIN ok USING (k)), ' +
    `seq AS (UPDATE ${t.sequence} SET last_position = last_position + (SELECT count(*) FROM numbered) ` +
    'WHERE id = 1 RETURNING last_position - (SELECT count(*) FROM numbered) AS start) ' +
    `INSERT INTO ${t.events} (${COLUMNS}) ` +
    'SELECT seq.start + numbered.n, numbered.event_id, numbered.aggregate_id, numbered.aggregate_name, ' +
    'numbered.b + numbered.i, numbered.type, numbered.data, numbered.metadata, numbered.created_at ' +
    'FROM seq CROSS JOIN numbered RETURNING aggregate_id, version, position';
  return [
    'BEGIN',
    `SELECT last_position FROM ${t.sequence} WHERE id = 1 FOR UPDATE`,
    append,
    'COMMIT',
  ].join(';\n');
}
