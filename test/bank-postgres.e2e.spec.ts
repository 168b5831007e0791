import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bank, isolation, MYSQL_URL, POSTGRES_URL, REDIS_URL } from './support/bank.js';
import { deleteKeys, dropPostgresTables, dropTables } from './support/cleanup.js';
import { expectConverged } from './support/convergence.js';
import { openAccounts, sendCommands, type Tally } from './support/workload.js';

/**
 * The command service on PostgreSQL (`EVENT_STORE_URL=postgres://…`), followed through its
 * feed and through the relay's stream; the read service keeps its balances in MariaDB.
 */
describe.each(['feed', 'stream'] as const)('bank sample on PostgreSQL, %s mode', (mode) => {
  const names = isolation();
  let bank: Bank | undefined;

  beforeAll(async () => {
    bank = await Bank.start({ mode, redisUrl: REDIS_URL, eventStoreUrl: POSTGRES_URL, ...names });
  }, 60_000);

  afterAll(async () => {
    await bank?.stop();
    await dropPostgresTables(POSTGRES_URL, names.tablePrefix);
    await dropTables(MYSQL_URL, names.tablePrefix);
    await deleteKeys(REDIS_URL, names.keyPrefix);
  }, 30_000);

  it('the read model converges to exactly the command side', async () => {
    const { command, read } = bank!;
    const ids = await openAccounts(command.url, names.keyPrefix.slice(0, -1), 6);
    const tally: Tally = { statuses: {} };
    await sendCommands(command.url, ids, 150, tally);
    await expectConverged(command.url, read.url, ids).catch((error: Error) => {
      throw new Error(`${error.message}\n${bank!.output()}`);
    });
    expect(Object.keys(tally.statuses).filter((s) => !['200', '409', '422'].includes(s))).toEqual(
      [],
    );
    expect(tally.statuses[200]).toBeGreaterThan(0);
  }, 90_000);
});
