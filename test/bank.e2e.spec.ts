import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../apps/demo/src/http-client.js';
import { Bank, isolation, MYSQL_URL, REDIS_URL } from './support/bank.js';
import { deleteKeys, dropTables } from './support/cleanup.js';
import { expectConverged } from './support/convergence.js';
import { RedisServer } from './support/redis-server.js';
import { openAccounts, sendCommands, type Tally } from './support/workload.js';

const ACCOUNTS = 10;

/** Only answers a correct service gives: success, an overdraft refused, a conflict retried out. */
function expectSaneStatuses(tally: Tally, bank: Bank): void {
  const unexpected = Object.keys(tally.statuses).filter((s) => !['200', '409', '422'].includes(s));
  expect(unexpected, `${JSON.stringify(tally)}\n${bank.output()}`).toEqual([]);
  expect(tally.statuses[200]).toBeGreaterThan(0);
}

describe.each(['stream', 'feed'] as const)('bank sample, %s mode (separate processes)', (mode) => {
  const names = isolation();
  let bank: Bank | undefined;

  beforeAll(async () => {
    bank = await Bank.start({ mode, redisUrl: REDIS_URL, ...names });
  }, 60_000);

  afterAll(async () => {
    await bank?.stop();
    await dropTables(MYSQL_URL, names.tablePrefix);
    await deleteKeys(REDIS_URL, names.keyPrefix);
  }, 30_000);

  it('the read model converges to exactly the command side after a few hundred commands', async () => {
    const { command, read } = bank!;
    const ids = await openAccounts(command.url, names.keyPrefix.slice(0, -1), ACCOUNTS);
    const tally: Tally = { statuses: {} };
    await sendCommands(command.url, ids, 300, tally);
    await expectConverged(command.url, read.url, ids).catch((error: Error) => {
      throw new Error(`${error.message}\n${bank!.output()}`);
    });
    expectSaneStatuses(tally, bank!);
  }, 90_000);
});

describe('bank sample, stream mode with Redis stopped for part of the run', () => {
  const names = isolation();
  let redis: RedisServer | undefined;
  let bank: Bank | undefined;

  beforeAll(async () => {
    redis = await RedisServer.start();
    bank = await Bank.start({ mode: 'stream', redisUrl: redis.url, ...names });
  }, 60_000);

  afterAll(async () => {
    await bank?.stop();
    await redis?.stop();
    await dropTables(MYSQL_URL, names.tablePrefix);
  }, 30_000);

  it('loses no event: the read side lags when Redis dies, commands go on, everything arrives', async () => {
    const { command, read } = bank!;
    const ids = await openAccounts(command.url, names.keyPrefix.slice(0, -1), ACCOUNTS);
    const tally: Tally = { statuses: {} };
    await sendCommands(command.url, ids, 100, tally);
    // The read service is frozen so that the stream holds relayed events nobody consumed yet
    // when Redis dies and comes back empty (no persistence): they must still reach the read model.
    read.freeze(true);
    await sendCommands(command.url, ids, 50, tally);
    const stream = `${names.keyPrefix}bank-accounts`;
    await waitFor(
      'relayed, unconsumed events',
      async () => (await redis!.streamLength(stream)) > 0,
    );
    await redis!.stop();
    await sendCommands(command.url, ids, 50, tally);
    await redis!.resume();
    read.freeze(false);
    await sendCommands(command.url, ids, 100, tally);
    await expectConverged(command.url, read.url, ids, 45_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${bank!.output()}`);
    });
    expectSaneStatuses(tally, bank!);
  }, 100_000);
});
