import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStoreUnavailableError } from '../../errors/event-store-unavailable.error.js';
import {
  describeEventStoreContract,
  type EventStoreContractSubject,
} from '../event-store.contract.js';
import { createFluxTablesMigration } from './migrations/1764000000000-create-flux-tables.js';
import { MysqlEventStore } from './mysql-event-store.js';
import { fluxTableNames } from './mysql-schema.js';
import { dropTestTables, randomTablePrefix, TEST_MYSQL_URL } from './mysql-test-support.js';

const mysqlSubject = async (): Promise<EventStoreContractSubject> => {
  const tablePrefix = randomTablePrefix();
  const store = await MysqlEventStore.create({
    url: TEST_MYSQL_URL,
    synchronize: true,
    tablePrefix,
  });
  return {
    store,
    teardown: async () => {
      await store.close();
      await dropTestTables(tablePrefix);
    },
    reopen: () => MysqlEventStore.create({ url: TEST_MYSQL_URL, tablePrefix, poolSize: 1 }),
    another: mysqlSubject,
  };
};

describeEventStoreContract('MysqlEventStore', mysqlSubject);

describe('MysqlEventStore on MySQL', () => {
  const tablePrefix = randomTablePrefix();
  const tables = fluxTableNames(tablePrefix);
  let store: MysqlEventStore;
  beforeAll(async () => {
    store = await MysqlEventStore.create({
      url: TEST_MYSQL_URL,
      synchronize: true,
      tablePrefix,
      poolSize: 4,
    });
  });
  afterAll(async () => {
    await store?.close();
    await dropTestTables(tablePrefix);
  });

  it('reports an unreachable server by host:port, never by password', async () => {
    const attempt = MysqlEventStore.create({ url: 'mysql://root:s3cret-Pa55@127.0.0.1:1/test' });
    const error = await attempt.then(
      () => expect.fail('connected to port 1'),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EventStoreUnavailableError);
    expect((error as Error).message).toContain('127.0.0.1:1');
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain('s3cret-Pa55');
    expect(String((error as Error).cause)).not.toContain('s3cret-Pa55');
  });

  it('says how to create missing tables', async () => {
    const attempt = MysqlEventStore.create({
      url: TEST_MYSQL_URL,
      tablePrefix: randomTablePrefix(),
    });
    await expect(attempt).rejects.toThrow(/CreateFluxTables migration or .*synchronize: true/);
  });

  it('positions rows a writer committed but never sequenced (crash between commit and pass)', async () => {
    const before = await store.lastPosition();
    const agg = `crashed-${randomUUID()}`;
    await store.dataSource.query(
      `INSERT INTO ${tables.events} (event_id, aggregate_id, aggregate_name, version, type, data, metadata, created_at)
       VALUES (?, ?, 'account', 1, 'Orphan', '{"a":1}', '{}', NOW(3))`,
      [randomUUID(), agg],
    );
    const log = await store.readAll({ after: before });
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({
      aggregateId: agg,
      version: 1,
      position: before + 1,
      data: { a: 1 },
    });
    expect(await store.lastPosition()).toBe(before + 1);
    const [next] = await store.append(agg, [{ type: 'After', data: {} }], {
      expectedVersion: 1,
      aggregateName: 'account',
    });
    expect(next.position).toBe(before + 2);
  });

  it('shares its connection through a TypeORM DataSource', async () => {
    expect(store.dataSource.isInitialized).toBe(true);
    const [row] = await store.dataSource.query(`SELECT COUNT(*) AS n FROM ${tables.sequence}`);
    expect(Number(row.n)).toBe(1);
  });

  it('creates and drops its tables through the TypeORM migration', async () => {
    const prefix = randomTablePrefix();
    const Migration = createFluxTablesMigration(prefix);
    const runner = store.dataSource.createQueryRunner();
    try {
      await new Migration().up(runner);
      const other = await MysqlEventStore.create({
        url: TEST_MYSQL_URL,
        tablePrefix: prefix,
        poolSize: 2,
      });
      const [event] = await other.append('m-1', [{ type: 'T', data: {} }], {
        expectedVersion: 0,
        aggregateName: 'm',
      });
      expect(event.position).toBe(1);
      await other.close();
      await new Migration().down(runner);
      expect(await runner.hasTable(`${prefix}events`)).toBe(false);
    } finally {
      await runner.release();
      await dropTestTables(prefix);
    }
  });
});
