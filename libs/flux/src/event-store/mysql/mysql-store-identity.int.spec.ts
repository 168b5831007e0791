import mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { createFluxMetaMigration } from './migrations/1796096000000-create-flux-meta.js';
import { createFluxTablesMigration } from './migrations/1764000000000-create-flux-tables.js';
import { MysqlEventStore } from './mysql-event-store.js';
import { dropTestTables, randomTablePrefix, TEST_MYSQL_URL } from './mysql-test-support.js';

/** Runs a migration's `up` through a plain connection standing in for TypeORM's query runner. */
async function migrate(migration: new () => { up(q: never): Promise<void> }): Promise<void> {
  const connection = await mysql.createConnection(TEST_MYSQL_URL);
  try {
    const runner = { query: async (sql: string) => (await connection.query(sql))[0] };
    await new migration().up(runner as never);
  } finally {
    await connection.end();
  }
}

describe('MysqlEventStore identity', () => {
  const prefixes: string[] = [];
  const prefix = () => {
    const p = randomTablePrefix();
    prefixes.push(p);
    return p;
  };
  afterAll(async () => {
    for (const p of prefixes) await dropTestTables(p);
  });

  it('gives tables created before the meta table one id, agreed by concurrent first calls', async () => {
    const tablePrefix = prefix();
    await migrate(createFluxTablesMigration(tablePrefix));
    const stores = await Promise.all(
      [1, 2, 3].map(() =>
        MysqlEventStore.create({ url: TEST_MYSQL_URL, tablePrefix, poolSize: 2 }),
      ),
    );
    try {
      const ids = await Promise.all(stores.map((store) => store.storeId()));
      expect(new Set(ids).size).toBe(1);
      expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('keeps the id the migration created, also when the migration runs again', async () => {
    const tablePrefix = prefix();
    await migrate(createFluxTablesMigration(tablePrefix));
    await migrate(createFluxMetaMigration(tablePrefix));
    const first = await MysqlEventStore.create({ url: TEST_MYSQL_URL, tablePrefix, poolSize: 1 });
    const id = await first.storeId();
    await first.close();
    await migrate(createFluxMetaMigration(tablePrefix));
    const again = await MysqlEventStore.create({
      url: TEST_MYSQL_URL,
      tablePrefix,
      poolSize: 1,
      synchronize: true,
    });
    try {
      expect(await again.storeId()).toBe(id);
    } finally {
      await again.close();
    }
  });
});
