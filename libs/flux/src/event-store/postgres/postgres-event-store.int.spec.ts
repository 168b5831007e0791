import { randomUUID } from 'node:crypto';
import { createServer, connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStoreUnavailableError } from '../../errors/event-store-unavailable.error.js';
import { createEventStore } from '../create-event-store.js';
import { describeEventStoreContract } from '../event-store.contract.js';
import { createPostgresFluxTablesMigration } from './migrations/1764000000000-create-postgres-flux-tables.js';
import { PostgresEventStore } from './postgres-event-store.js';
import { postgresTableNames } from './postgres-schema.js';
import {
  dropTestSchema,
  dropTestTables,
  randomSchema,
  randomTablePrefix,
  TEST_POSTGRES_URL,
} from './postgres-test-support.js';

describeEventStoreContract('PostgresEventStore', async () => {
  const tablePrefix = randomTablePrefix();
  const store = await PostgresEventStore.create({
    url: TEST_POSTGRES_URL,
    synchronize: true,
    tablePrefix,
  });
  return {
    store,
    teardown: async () => {
      await store.close();
      await dropTestTables({ tablePrefix });
    },
  };
});

describe('PostgresEventStore on PostgreSQL', () => {
  const schema = randomSchema();
  const tablePrefix = 'flux_';
  const tables = postgresTableNames({ tablePrefix, schema });
  let store: PostgresEventStore;
  beforeAll(async () => {
    store = await PostgresEventStore.create({
      url: TEST_POSTGRES_URL,
      synchronize: true,
      schema,
      poolSize: 4,
    });
  });
  afterAll(async () => {
    await store?.close();
    await dropTestSchema(schema);
  });

  it('is built by createEventStore for { type: "postgres" } in its own schema', async () => {
    const other = await createEventStore({
      type: 'postgres',
      url: TEST_POSTGRES_URL,
      schema,
      tablePrefix,
    });
    try {
      expect(other).toBeInstanceOf(PostgresEventStore);
      const [event] = await store.append(`via-${randomUUID()}`, [{ type: 'T', data: {} }], {
        expectedVersion: 0,
        aggregateName: 'x',
      });
      expect(await other.getEvent(event.eventId)).toEqual(event);
      expect(await other.getEvent('not-a-uuid')).toBeNull();
    } finally {
      await other.close();
    }
  });

  it('keeps a persistent identity: stable across reopen, different per prefix and schema', async () => {
    const id = await store.storeId();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const reopened = await PostgresEventStore.create({ url: TEST_POSTGRES_URL, schema });
    const prefixed = await PostgresEventStore.create({
      url: TEST_POSTGRES_URL,
      schema,
      tablePrefix: 'other_',
      synchronize: true,
    });
    const otherSchema = randomSchema();
    const elsewhere = await PostgresEventStore.create({
      url: TEST_POSTGRES_URL,
      schema: otherSchema,
      synchronize: true,
    });
    try {
      expect(await reopened.storeId()).toBe(id);
      expect(await prefixed.storeId()).not.toBe(id);
      expect(await elsewhere.storeId()).not.toBe(id);
      expect(await elsewhere.storeId()).not.toBe(await prefixed.storeId());
      const [row] = await store.dataSource.query(
        `SELECT value FROM ${tables.meta} WHERE key = 'store_id'`,
      );
      expect(row.value).toBe(id);
    } finally {
      await Promise.all([reopened.close(), prefixed.close(), elsewhere.close()]);
      await dropTestSchema(otherSchema);
    }
  });

  it('reports an unreachable server by host:port, never by password', async () => {
    const attempt = PostgresEventStore.create({
      url: 'postgres://postgres:s3cret-Pa55@127.0.0.1:1/test',
    });
    const error = await attempt.then(
      () => expect.fail('connected to port 1'),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EventStoreUnavailableError);
    expect((error as Error).message).toContain('127.0.0.1:1');
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain('s3cret-Pa55');
    expect(String((error as Error).cause)).not.toContain('s3cret-Pa55');
  });

  it('reports an unknown database as unavailable, naming the host', async () => {
    const attempt = PostgresEventStore.create({
      url: 'postgres://postgres:s3cret-Pa55@127.0.0.1:5432/no_such_db_flux',
    });
    await expect(attempt).rejects.toThrow(EventStoreUnavailableError);
    await expect(attempt).rejects.toThrow(/127\.0\.0\.1:5432/);
  });

  it('fails an operation the server never answers with EventStoreUnavailableError', async () => {
    const proxy = await stallingProxy();
    const url = new URL(TEST_POSTGRES_URL);
    url.port = String(proxy.port);
    const slow = await PostgresEventStore.create({
      url: url.toString(),
      schema,
      queryTimeoutMs: 1_000,
      poolSize: 1,
    });
    try {
      proxy.stall();
      const error = await slow.readAll().then(
        () => expect.fail('answered through a stalled connection'),
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(EventStoreUnavailableError);
      expect((error as Error).message).toMatch(
        new RegExp(`127\\.0\\.0\\.1:${proxy.port} is unavailable during readAll`),
      );
    } finally {
      proxy.close();
      await slow.close();
    }
  });

  it('says how to create missing tables', async () => {
    const attempt = PostgresEventStore.create({
      url: TEST_POSTGRES_URL,
      tablePrefix: randomTablePrefix(),
    });
    await expect(attempt).rejects.toThrow(
      /CreatePostgresFluxTables migration or .*synchronize: true/,
    );
  });

  it('rejects prefixes and schemas that are not plain identifiers', async () => {
    await expect(
      PostgresEventStore.create({ url: TEST_POSTGRES_URL, tablePrefix: 'x"; DROP' }),
    ).rejects.toThrow(/tablePrefix/);
    await expect(
      PostgresEventStore.create({ url: TEST_POSTGRES_URL, schema: 'a.b' }),
    ).rejects.toThrow(/schema/);
    await expect(PostgresEventStore.create({ url: 'mysql://x@h/db' })).rejects.toThrow(
      /postgres: scheme/,
    );
  });

  it('keeps positions dense: a refused append consumes none', async () => {
    const agg = `dense-${randomUUID()}`;
    const opts = (expectedVersion: number) => ({ expectedVersion, aggregateName: 'account' });
    const [first] = await store.append(agg, [{ type: 'A', data: {} }], opts(0));
    await expect(store.append(agg, [{ type: 'B', data: {} }], opts(0))).rejects.toThrow(
      /expected version 0, but the stored version is 1/,
    );
    await expect(store.append(agg, [{ type: 'B', data: {} }], opts(3))).rejects.toThrow(
      /expected version 3, but the stored version is 1/,
    );
    const [second] = await store.append(agg, [{ type: 'C', data: {} }], opts(1));
    expect(second.position).toBe(first.position + 1);
  });

  it('shares its connection through a TypeORM DataSource', async () => {
    expect(store.dataSource.isInitialized).toBe(true);
    const [row] = await store.dataSource.query(`SELECT COUNT(*) AS n FROM ${tables.sequence}`);
    expect(Number(row.n)).toBe(1);
  });

  it('creates and drops its tables through the TypeORM migration', async () => {
    const prefix = randomTablePrefix();
    const Migration = createPostgresFluxTablesMigration({ tablePrefix: prefix, schema });
    expect(new Migration().name).toBe(`CreatePostgresFluxTables_${schema}_${prefix}1764000000000`);
    const runner = store.dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
      await new Migration().up(runner);
      await runner.commitTransaction();
      const other = await PostgresEventStore.create({
        url: TEST_POSTGRES_URL,
        tablePrefix: prefix,
        schema,
        poolSize: 2,
      });
      const [event] = await other.append('m-1', [{ type: 'T', data: {} }], {
        expectedVersion: 0,
        aggregateName: 'm',
      });
      expect(event.position).toBe(1);
      expect(await other.storeId()).toMatch(/^[0-9a-f-]{36}$/);
      await other.close();
      await new Migration().down(runner);
      expect(await runner.hasTable(`${schema}.${prefix}events`)).toBe(false);
    } finally {
      await runner.release();
    }
  });
});

/** A loopback proxy to the test server that can turn into a black hole (a partition). */
async function stallingProxy() {
  const target = new URL(TEST_POSTGRES_URL);
  const sockets = new Set<Socket>();
  let stalled = false;
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname || '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
    }
    client.on('data', (chunk) => stalled || upstream.write(chunk));
    upstream.on('data', (chunk) => stalled || client.write(chunk));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    stall: () => void (stalled = true),
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}
