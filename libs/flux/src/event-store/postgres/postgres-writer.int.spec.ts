import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppendRequest } from './postgres-batch-statement.js';
import { PostgresEventStore } from './postgres-event-store.js';
import { PostgresStatements } from './postgres-statements.js';
import { dropTestSchema, randomSchema, TEST_POSTGRES_URL } from './postgres-test-support.js';
import { PostgresWriter } from './postgres-writer.js';

const request = (aggregateId: string, base: number, events = 1, any = false): AppendRequest => ({
  aggregateId,
  aggregateName: 'account',
  base,
  any,
  createdAt: new Date(),
  rows: Array.from({ length: events }, (_, i) => ({
    eventId: randomUUID(),
    type: 'T',
    data: JSON.stringify({ i }),
    metadata: '{}',
  })),
});

/** The group commit: appends that arrive while one commits share the next transaction. */
describe('PostgresWriter', () => {
  const schema = randomSchema();
  let store: PostgresEventStore;
  let pool: pg.Pool;
  let writer: PostgresWriter;
  beforeAll(async () => {
    store = await PostgresEventStore.create({ url: TEST_POSTGRES_URL, schema, synchronize: true });
    pool = new pg.Pool({ connectionString: TEST_POSTGRES_URL, max: 4 });
    writer = new PostgresWriter(
      pool,
      new PostgresStatements({ tablePrefix: 'flux_', schema }),
      10_000,
    );
  });
  afterAll(async () => {
    await pool?.end();
    await store?.close();
    await dropTestSchema(schema);
  });

  it('stores a batch whole per append, leaves out stale ones, numbers the rest densely', async () => {
    await writer.write(request('existing', 0, 2));
    await writer.write(request('existing-b', 0, 2));
    await store.append('customer-1', [{ type: 'T', data: {} }], {
      expectedVersion: 0,
      aggregateName: 'customer',
    });
    const start = await store.lastPosition();
    // The first write commits alone; the others queue behind it and go as one batch.
    const results = await Promise.all([
      writer.write(request('first', 0)),
      writer.write(request('fresh', 0, 3)),
      writer.write(request('existing', 5)), // stale: the stream is at 2
      writer.write(request('existing-any', 0)),
      writer.write(request('existing-b', 0, 1, true)), // 'any' with a stale base: follows the head
      writer.write(request('customer-1', 1)), // another aggregate name
      writer.write(request('fresh-2', 0, 2)),
    ]);
    const versions = results.map((positions) => [...positions.keys()]);
    expect(versions).toEqual([[1], [1, 2, 3], [], [1], [3], [], [1, 2]]);
    const positions = results.flatMap((map) => [...map.values()]).sort((a, b) => a - b);
    expect(positions).toEqual(Array.from({ length: 8 }, (_, i) => start + i + 1));
    expect(await store.lastPosition()).toBe(start + 8);
    expect((await store.readStream('existing')).map((e) => e.version)).toEqual([1, 2]);
    expect((await store.readStream('existing-b')).map((e) => e.version)).toEqual([1, 2, 3]);
    expect(await store.readAll({ after: start })).toHaveLength(8);
  });

  it('reports a batch that fails before its commit by running each append alone', async () => {
    const results = await Promise.allSettled([
      writer.write(request('solo', 0)),
      writer.write(request('ok-1', 0)),
      writer.write({ ...request('bad', 0), rows: [{ ...request('bad', 0).rows[0], data: '{' }] }),
      writer.write(request('ok-2', 0)),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(await store.readStream('ok-2')).toHaveLength(1);
    expect(await store.readStream('bad')).toEqual([]);
  });

  it('carries quotes, backslashes and any Unicode through a batch exactly', async () => {
    const tricky = { text: "it's \\ \"quoted\" 日本 🎉 \u0000 $1 E'x'", n: 9007199254740991 };
    const odd = (id: string) => {
      const r = request(id, 0);
      r.rows[0] = { ...r.rows[0], type: "Type'; --", data: JSON.stringify(tricky) };
      return r;
    };
    const ids = [`it's-${randomUUID()}`, `back\\slash-${randomUUID()}`, `😀-${randomUUID()}`];
    const results = await Promise.all([
      writer.write(request('lead', 0)),
      ...ids.map((id) => writer.write(odd(id))),
    ]);
    expect(results.map((r) => r.size)).toEqual([1, 1, 1, 1]);
    for (const id of ids) {
      const [event] = await store.readStream(id);
      expect(event).toMatchObject({ aggregateId: id, type: "Type'; --", data: tricky });
    }
  });
});
