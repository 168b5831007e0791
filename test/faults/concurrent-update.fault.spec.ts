import { Injectable, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AggregateRepository,
  ConcurrencyError,
  FluxModule,
  InjectAggregateRepository,
} from 'nestjs-flux';
import { FaultAccount } from './support/account.js';
import { MYSQL_URL } from './support/env.js';
import { dropTables, queryRows, tablePrefix } from './support/mysql.js';
import { report } from './support/tally.js';

/**
 * Fault 5: 50 concurrent `update` calls on one aggregate, split over two Nest applications on
 * the same MySQL tables (two processes' worth of pools, caches and sequencers). The final state
 * must be exactly the sum of the updates that succeeded, with versions 1..n and none twice.
 */
@Injectable()
class Accounts {
  constructor(
    @InjectAggregateRepository(FaultAccount) readonly repo: AggregateRepository<FaultAccount>,
  ) {}
}

const UPDATES = Number(process.env.FAULTS_UPDATES ?? 50);

async function createApp(prefix: string): Promise<INestApplicationContext> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      FluxModule.forRoot({
        eventStore: { type: 'mysql', url: MYSQL_URL, tablePrefix: prefix, synchronize: true },
      }),
      FluxModule.forFeature({ aggregates: [FaultAccount] }),
    ],
    providers: [Accounts],
  }).compile();
  await moduleRef.init();
  return moduleRef;
}

describe('fault 5: concurrent updates of one aggregate from two applications', () => {
  const prefix = tablePrefix('update');
  const apps: INestApplicationContext[] = [];

  beforeAll(async () => {
    apps.push(await createApp(prefix));
    apps.push(await createApp(prefix));
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close().catch(() => undefined)));
    await dropTables(prefix);
  });

  async function race(id: string, retries: number | undefined) {
    const [a, b] = apps.map((app) => app.get(Accounts).repo);
    const first = await a.create(id);
    first.open('race');
    await a.save(first);
    const results = await Promise.allSettled(
      Array.from({ length: UPDATES }, (_, i) =>
        (i % 2 === 0 ? a : b).update(id, (acc) => acc.credit(i + 1, `u${i}`), { retries }),
      ),
    );
    const ok = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    const rows = await queryRows<{ version: number; uid: string | null }>(
      `SELECT version, JSON_VALUE(data, '$.uid') AS uid FROM \`${prefix}events\` WHERE aggregate_id = ? ORDER BY version`,
      [id],
    );
    const final = await b.load(id);
    return { ok, failures, rows, final, a };
  }

  it('with enough retries every update lands exactly once', async () => {
    const { ok, failures, rows, final } = await race('hot-1', 200);
    const uids = rows.slice(1).map((r) => r.uid);
    const figures = report('5 updates (retries 200)', {
      sent: UPDATES,
      processed: ok.length,
      lost: UPDATES - new Set(uids).size,
      duplicates: uids.length - new Set(uids).size,
      failed: failures.length,
      finalVersion: final.version,
      balance: final.balance,
    });
    expect(failures).toEqual([]);
    expect(rows.map((r) => r.version)).toEqual(
      Array.from({ length: UPDATES + 1 }, (_, i) => i + 1),
    );
    expect(figures).toMatchObject({ processed: UPDATES, lost: 0, duplicates: 0 });
    expect(final.balance).toBe((UPDATES * (UPDATES + 1)) / 2);
    expect(final.credits).toBe(UPDATES);
  });

  it('with the default 3 retries the losers fail with ConcurrencyError and store nothing', async () => {
    const { ok, failures, rows, final } = await race('hot-2', undefined);
    const stored = rows.slice(1).map((r) => r.uid);
    const expected = ok.map((i) => `u${i}`).sort();
    report('5 updates (default retries)', {
      sent: UPDATES,
      processed: ok.length,
      lost: expected.filter((u) => !stored.includes(u)).length,
      duplicates: stored.length - new Set(stored).size,
      concurrencyErrors: failures.filter((f) => f instanceof ConcurrencyError).length,
      otherErrors: failures.filter((f) => !(f instanceof ConcurrencyError)).length,
      finalVersion: final.version,
    });
    expect(failures.every((f) => f instanceof ConcurrencyError)).toBe(true);
    expect([...stored].sort()).toEqual(expected);
    expect(rows.map((r) => r.version)).toEqual(
      Array.from({ length: ok.length + 1 }, (_, i) => i + 1),
    );
    expect(final.balance).toBe(ok.reduce((sum, i) => sum + i + 1, 0));
  });
});
