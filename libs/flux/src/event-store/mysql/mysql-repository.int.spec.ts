import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aggregateEventClasses,
  aggregateMetadataOf,
} from '../../event-sourcing/aggregate-metadata.js';
import { AggregateRepository } from '../../event-sourcing/aggregate-repository.js';
import { EventRegistry } from '../../event-sourcing/event-registry.js';
import { Account } from '../../event-sourcing/fixtures/account.fixture.js';
import { MysqlEventStore } from './mysql-event-store.js';
import { dropTestTables, randomTablePrefix, TEST_MYSQL_URL } from './mysql-test-support.js';

/** The repository's guarantees, held against the real database rather than the memory store. */
describe('AggregateRepository on MySQL', () => {
  const tablePrefix = randomTablePrefix();
  let store: MysqlEventStore;
  let accounts: AggregateRepository<Account>;
  beforeAll(async () => {
    store = await MysqlEventStore.create({ url: TEST_MYSQL_URL, synchronize: true, tablePrefix });
    const registry = new EventRegistry();
    registry.register(...aggregateEventClasses(Account));
    accounts = new AggregateRepository(Account, aggregateMetadataOf(Account), store, registry);
  });
  afterAll(async () => {
    await store.close();
    await dropTestTables(tablePrefix);
  });

  it('20 concurrent updates of one aggregate end at the exact version and state', async () => {
    const account = accounts.create('hot');
    account.open('x');
    await accounts.save(account);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        accounts.update('hot', (a) => a.credit(10), { retries: 100 }),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const loaded = await accounts.load('hot');
    expect(loaded.version).toBe(21);
    expect(loaded.balance).toBe(200);
    const versions = (await store.readStream('hot')).map((e) => e.version);
    expect(versions).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
  });

  it('snapshots on MySQL: loads from the snapshot and ignores one of another schema version', async () => {
    const account = accounts.create('snap');
    account.open('s');
    for (let i = 0; i < 6; i++) account.credit(100);
    await accounts.save(account);
    const snapshot = await store.loadSnapshot('snap', 'account');
    expect(snapshot).toMatchObject({ version: 7, schemaVersion: 1, state: { balance: 600 } });
    await store.saveSnapshot({ ...snapshot!, state: { owner: 's', balance: 5_000 } });
    expect((await accounts.load('snap')).balance).toBe(5_000);
    await store.saveSnapshot({ ...snapshot!, schemaVersion: 99, state: { balance: 1 } });
    expect((await accounts.load('snap')).balance).toBe(600);
  });

  it('loads upcast events stored at an older schema version', async () => {
    await store.append(
      'old',
      [
        { type: 'AccountOpened', data: { owner: 'o' } },
        { type: 'AccountCredited', data: { amount: 2 } },
      ],
      { expectedVersion: 0, aggregateName: 'account' },
    );
    expect((await accounts.load('old')).balance).toBe(200);
  });
});
