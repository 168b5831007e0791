import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BalanceChange } from './balance.js';
import type { BalancesStore } from './balances.store.js';
import { EventGapError } from './event-gap.error.js';
import { MemoryBalancesStore } from './memory-balances.store.js';
import { MysqlBalancesStore } from './mysql-balances.store.js';

const MYSQL_URL = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

const storages: Array<[string, () => Promise<BalancesStore>]> = [
  ['memory', async () => new MemoryBalancesStore()],
  // Real MariaDB, own random table: parallel runs never meet.
  ['MySQL', () => MysqlBalancesStore.create(MYSQL_URL, `t${randomBytes(4).toString('hex')}_`)],
];

describe.each(storages)('%s balances store', (_name, create) => {
  let store: BalancesStore;
  let n = 0;
  const account = () => `acc-${++n}`;
  const change = (
    accountId: string,
    version: number,
    delta: number,
    owner?: string,
  ): BalanceChange => ({
    accountId,
    version,
    position: 100 + version,
    delta,
    owner,
  });

  beforeAll(async () => {
    store = await create();
  });
  afterAll(async () => {
    if (store instanceof MysqlBalancesStore) await store.drop();
    await store?.close();
  });

  it('applies versions in order and skips redeliveries', async () => {
    const id = account();
    expect(await store.apply(change(id, 1, 0, 'ann'))).toBe('applied');
    expect(await store.apply(change(id, 2, 500))).toBe('applied');
    expect(await store.apply(change(id, 2, 500))).toBe('duplicate');
    expect(await store.apply(change(id, 1, 0, 'ann'))).toBe('duplicate');
    expect(await store.apply(change(id, 3, -200))).toBe('applied');
    expect(await store.get(id)).toEqual({
      id,
      owner: 'ann',
      balance: 300,
      version: 3,
      position: 103,
    });
  });

  it('refuses an event that skips a version, changing nothing', async () => {
    const id = account();
    await store.apply(change(id, 1, 0, 'bob'));
    await expect(store.apply(change(id, 3, 50))).rejects.toBeInstanceOf(EventGapError);
    await expect(store.apply(change(`${id}-missing`, 2, 50))).rejects.toThrow(
      /waiting for version 1/,
    );
    expect(await store.get(id)).toMatchObject({ balance: 0, version: 1 });
    expect(await store.get(`${id}-missing`)).toBeNull();
  });

  it('counts a redelivery racing the first delivery once', async () => {
    const id = account();
    const first = await Promise.all(
      Array.from({ length: 5 }, () => store.apply(change(id, 1, 0, 'cy'))),
    );
    const credit = await Promise.all(
      Array.from({ length: 5 }, () => store.apply(change(id, 2, 70))),
    );
    expect(first.filter((r) => r === 'applied')).toHaveLength(1);
    expect(credit.filter((r) => r === 'applied')).toHaveLength(1);
    expect(await store.get(id)).toMatchObject({ balance: 70, version: 2 });
  });

  it('lists the top balances and reports the last position', async () => {
    const ids = [account(), account(), account()];
    for (const [i, id] of ids.entries()) {
      await store.apply(change(id, 1, 0, 'x'));
      await store.apply({ ...change(id, 2, 1_000_000 * (i + 1)), position: 10_000 + i });
    }
    const top = await store.top(2);
    expect(top.map((b) => b.id)).toEqual([ids[2], ids[1]]);
    expect(await store.lastPosition()).toBe(10_002);
    expect(await store.count()).toBeGreaterThanOrEqual(3);
  });
});
