import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConcurrencyError } from '../../errors/concurrency.error.js';
import { type AppendRequest, MAX_BATCH_ROWS } from './postgres-batch-statement.js';
import { PostgresEventStore } from './postgres-event-store.js';
import { postgresTableNames } from './postgres-schema.js';
import { PostgresStatements } from './postgres-statements.js';
import { dropTestSchema, randomSchema, TEST_POSTGRES_URL } from './postgres-test-support.js';
import { PostgresWriter } from './postgres-writer.js';

const request = (aggregateId: string, base: number, events = 1): AppendRequest => ({
  aggregateId,
  aggregateName: 'account',
  base,
  any: false,
  createdAt: new Date(),
  rows: Array.from({ length: events }, (_, i) => ({
    eventId: randomUUID(),
    type: 'T',
    data: JSON.stringify({ i }),
    metadata: '{}',
  })),
});

/**
 * How the group commit cuts batches, seen from the server: `xmin` is the id of the transaction
 * that inserted a row, so rows that share one came from the same batch.
 */
describe('PostgresWriter batches', () => {
  const schema = randomSchema();
  const location = { tablePrefix: 'flux_', schema };
  const tables = postgresTableNames(location);
  let store: PostgresEventStore;
  let pool: pg.Pool;
  let holder: pg.Client;
  /** Watches from outside the holder's transaction (activity is a snapshot per transaction). */
  let observer: pg.Client;
  beforeAll(async () => {
    store = await PostgresEventStore.create({ url: TEST_POSTGRES_URL, schema, synchronize: true });
    pool = new pg.Pool({ connectionString: TEST_POSTGRES_URL, max: 4 });
    holder = new pg.Client(TEST_POSTGRES_URL);
    await holder.connect();
    observer = new pg.Client(TEST_POSTGRES_URL);
    await observer.connect();
  });
  afterAll(async () => {
    await holder?.end();
    await observer?.end();
    await pool?.end();
    await store?.close();
    await dropTestSchema(schema);
  });

  const writer = (queueTimeoutMs = 30_000) =>
    new PostgresWriter(pool, new PostgresStatements(location), queueTimeoutMs);

  /** The transaction ids that stored each aggregate's rows. */
  async function transactionsOf(ids: string[]): Promise<Map<string, string[]>> {
    const { rows } = await observer.query<{ aggregate_id: string; tx: string }>(
      `SELECT aggregate_id, xmin::text AS tx FROM ${tables.events} WHERE aggregate_id = ANY($1) ORDER BY position`,
      [ids],
    );
    const byId = new Map<string, string[]>(ids.map((id) => [id, []]));
    for (const row of rows) {
      const txs = byId.get(row.aggregate_id) as string[];
      if (!txs.includes(row.tx)) txs.push(row.tx);
    }
    return byId;
  }

  /** Holds the sequence row lock until the returned function is called. */
  async function holdSequenceLock(): Promise<() => Promise<void>> {
    await holder.query('BEGIN');
    await holder.query(`SELECT last_position FROM ${tables.sequence} WHERE id = 1 FOR UPDATE`);
    return async () => void (await holder.query('COMMIT'));
  }

  /** Some other session waits for a lock (the writer's statement, stopped at the held row). */
  async function waitUntilAWriteWaitsForTheLock(): Promise<void> {
    await vi.waitFor(
      async () => {
        const { rows } = await observer.query(
          `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1`,
          [`%${tables.sequence}%`],
        );
        expect(rows).toHaveLength(1);
      },
      { timeout: 20_000, interval: 20 },
    );
  }

  it('commits the appends queued behind a commit in one transaction, one per aggregate', async () => {
    const w = writer();
    const [lead, a, b, again] = [0, 1, 2, 3].map(() => `agg-${randomUUID()}`);
    const release = await holdSequenceLock();
    const results = [w.write(request(lead, 0))];
    await waitUntilAWriteWaitsForTheLock();
    results.push(
      w.write(request(a, 0, 2)),
      w.write(request(b, 0)),
      // The same aggregate again, following the append queued before it: the next batch.
      w.write(request(a, 2)),
      w.write(request(again, 0)),
    );
    await release();
    const versions = (await Promise.all(results)).map((positions) => [...positions.keys()]);
    expect(versions).toEqual([[1], [1, 2], [1], [3], [1]]);

    const txs = await transactionsOf([lead, a, b, again]);
    expect(txs.get(lead)).toHaveLength(1);
    expect(txs.get(a)).toHaveLength(2);
    const [first, second] = txs.get(a) as string[];
    expect(txs.get(b)).toEqual([first]);
    expect(txs.get(again)).toEqual([first]);
    expect(second).not.toBe(first);
    expect(txs.get(lead)).not.toEqual([first]);
    expect((await store.readStream(a)).map((e) => e.version)).toEqual([1, 2, 3]);
  });

  it(`cuts batches at ${MAX_BATCH_ROWS} rows and still stores an append larger than that`, async () => {
    const w = writer();
    const ids = [0, 1, 2, 3].map(() => `big-${randomUUID()}`);
    const half = MAX_BATCH_ROWS / 2;
    const release = await holdSequenceLock();
    const results = [w.write(request(ids[0], 0))];
    await waitUntilAWriteWaitsForTheLock();
    results.push(
      w.write(request(ids[1], 0, half)),
      w.write(request(ids[2], 0, half + 1)), // would pass the bound beside the one before
      w.write(request(ids[3], 0, MAX_BATCH_ROWS + 1)), // alone over the bound: a batch of its own
    );
    await release();
    const sizes = (await Promise.all(results)).map((positions) => positions.size);
    expect(sizes).toEqual([1, half, half + 1, MAX_BATCH_ROWS + 1]);

    const txs = await transactionsOf(ids);
    const all = ids.map((id) => txs.get(id) as string[]);
    for (const tx of all) expect(tx).toHaveLength(1);
    expect(new Set(all.map(([tx]) => tx)).size).toBe(4);
  });

  it('refuses a stale expected version that shares a batch with others', async () => {
    const [lead, stale, fresh] = [0, 1, 2].map(() => `store-${randomUUID()}`);
    const tick = [{ type: 'T', data: {} }];
    const as = (expectedVersion: number) => ({ expectedVersion, aggregateName: 'account' });
    await store.append(stale, [...tick, ...tick], as(0));
    const release = await holdSequenceLock();
    const leading = store.append(lead, tick, as(0));
    await waitUntilAWriteWaitsForTheLock();
    // Both queue at once behind the lead (a numeric expected version reads nothing first).
    const batch = Promise.allSettled([
      store.append(stale, tick, as(1)), // the stream is at 2
      store.append(fresh, tick, as(0)),
    ]);
    await release();
    await expect(leading).resolves.toHaveLength(1);
    const [refused, stored] = await batch;
    expect(refused).toMatchObject({ status: 'rejected', reason: expect.any(ConcurrencyError) });
    expect(stored).toMatchObject({ status: 'fulfilled', value: [{ version: 1 }] });
    expect((await store.readStream(stale)).map((e) => e.version)).toEqual([1, 2]);
  });

  it('never writes an append late: one that waited past the queue timeout fails with ETIMEDOUT', async () => {
    const timeoutMs = 200;
    const w = writer(timeoutMs);
    const [lead, late] = [`lead-${randomUUID()}`, `late-${randomUUID()}`];
    const release = await holdSequenceLock();
    const leading = w.write(request(lead, 0));
    await waitUntilAWriteWaitsForTheLock();
    const queuedAt = Date.now();
    const waiting = w.write(request(late, 0)).then(
      () => 'stored',
      (error: { code?: string }) => error.code,
    );
    await vi.waitFor(() => expect(Date.now() - queuedAt).toBeGreaterThan(timeoutMs + 50), {
      timeout: 10_000,
      interval: 20,
    });
    await release();
    expect((await leading).size).toBe(1);
    expect(await waiting).toBe('ETIMEDOUT');
    expect(await store.readStream(late)).toEqual([]);
    // The writer goes on: the next append commits.
    expect([...(await w.write(request(late, 0))).keys()]).toEqual([1]);
  });
});
