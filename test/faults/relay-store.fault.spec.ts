import { Injectable } from '@nestjs/common';
import { createConnection } from 'mysql2/promise';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type AggregateRepository,
  EventStore,
  InjectAggregateRepository,
  RelayService,
} from 'nestjs-flux';
import { fluxTableNames } from '../../libs/flux/src/event-store/mysql/mysql-schema.js';
import { startFaultApp, type FaultApp } from './support/app.js';
import { StreamedAccount } from './support/account.js';
import { MYSQL_URL, REDIS_URL } from './support/env.js';
import { dropTables, tablePrefix } from './support/mysql.js';
import { deleteKeys, keyPrefix } from './support/redis-keys.js';
import { Tally } from './support/tally.js';
import { waitUntil } from './support/wait.js';

/**
 * Fault 10: one Redis (one key prefix) shared by services whose stores differ — two at once with
 * the same aggregate names, then a fresh database behind the checkpoints they left, then one
 * database restored from an older backup and written to again, then another application's key of
 * the wrong type where the relay publishes. Every event of every store must reach the stream;
 * nothing may be skipped silently.
 */
@Injectable()
class Commands {
  constructor(
    @InjectAggregateRepository(StreamedAccount) readonly repo: AggregateRepository<StreamedAccount>,
  ) {}
}

const PER_SERVICE = 150;
const REDIS_PREFIX = keyPrefix('relay-store');
const STREAM = `${REDIS_PREFIX}fault-accounts`;

describe('fault 10: services with different stores on one Redis; a restored database', () => {
  const prefixes: string[] = [];
  const apps: FaultApp[] = [];
  const admin = new Redis(REDIS_URL);

  afterAll(async () => {
    for (const app of apps) await app.close();
    for (const prefix of prefixes) await dropTables(prefix);
    await deleteKeys(REDIS_PREFIX);
    admin.disconnect();
  });

  async function service(tables = tablePrefix('relaystore')): Promise<FaultApp> {
    if (!prefixes.includes(tables)) prefixes.push(tables);
    const app = await startFaultApp({
      flux: {
        eventStore: { type: 'mysql', url: MYSQL_URL, synchronize: true, tablePrefix: tables },
        redis: { default: REDIS_URL },
        keyPrefix: REDIS_PREFIX,
        streams: ['fault-accounts'],
        relay: { pollInterval: 50, batchSize: 20 },
      },
      aggregates: [StreamedAccount],
      providers: [Commands],
    });
    apps.push(app);
    return app;
  }

  /** Saves `n` new accounts; `tally` (when given) then expects the store's whole log relayed. */
  async function save(app: FaultApp, label: string, n: number, tally?: Tally): Promise<void> {
    const repo = app.app.get(Commands).repo;
    for (let i = 0; i < n; i++) {
      const acc = repo.create(`${label}-${i}`);
      acc.open(label);
      await repo.save(acc);
    }
    if (tally) for (const e of await app.app.get(EventStore).readAll()) tally.send(e.eventId);
  }

  async function relayedIds(): Promise<string[]> {
    const entries = await admin.xrange(STREAM, '-', '+');
    return entries.map(([, fields]) => fields[fields.indexOf('event_id') + 1]);
  }

  const seeAll = async (tally: Tally) => {
    const seen = new Tally(tally.fault);
    for (const id of tally.sent) seen.send(id);
    for (const id of await relayedIds()) if (tally.sent.has(id)) seen.see(id);
    return seen;
  };

  it('relays every store fully: concurrent services, a fresh database, a restored one', async () => {
    // Two services, different databases, the same aggregate (and so the same relay name).
    const [a, b] = await Promise.all([service(), service()]);
    const tallyA = new Tally('10a service A (concurrent with B)');
    const tallyB = new Tally('10a service B (concurrent with A)');
    await Promise.all([save(a, 'a', PER_SERVICE, tallyA), save(b, 'b', PER_SERVICE, tallyB)]);
    await waitUntil(
      'both stores relayed',
      async () => (await relayedIds()).length >= 2 * PER_SERVICE,
      30_000,
    );
    const seenA = await seeAll(tallyA);
    const seenB = await seeAll(tallyB);
    seenA.report();
    seenB.report();
    expect([seenA.lost, seenB.lost, seenA.duplicates, seenB.duplicates]).toEqual([0, 0, 0, 0]);

    // A fresh database behind the checkpoints A and B left in this Redis.
    await a.close();
    const fresh = await service();
    const tallyC = new Tally('10b fresh database behind old checkpoints');
    await save(fresh, 'c', 7, tallyC);
    await waitUntil(
      'the fresh store relayed',
      async () => (await seeAll(tallyC)).lost === 0,
      30_000,
    );
    const seenC = await seeAll(tallyC);
    seenC.report();
    expect(seenC.lost).toBe(0);

    // B's database restored from a backup taken at position 100, then written to again.
    const bTables = prefixes[1];
    const bStore = b.app.get(EventStore);
    const storeId = await bStore.storeId();
    await b.close();
    const t = fluxTableNames(bTables);
    const conn = await createConnection(MYSQL_URL);
    await conn.query(`DELETE FROM ${t.events} WHERE position > 100`);
    await conn.query(`UPDATE ${t.sequence} SET last_position = 100`);
    await conn.end();
    const restored = await service(bTables);
    expect(await restored.app.get(EventStore).storeId()).toBe(storeId);
    const tallyR = new Tally('10c restored database, written to again');
    await save(restored, 'r', 60, tallyR); // positions 101..160 hold new events
    await waitUntil(
      'the restored store relayed',
      async () => (await seeAll(tallyR)).lost === 0,
      30_000,
      () => JSON.stringify(restored.app.get(RelayService).statuses()),
    );
    const seenR = await seeAll(tallyR);
    const current = (await restored.app.get(EventStore).readAll()).map((e) => e.eventId);
    const relayed = await relayedIds();
    // After the old entries, the restored store's log from the agreement point on, in order.
    const tail = relayed.slice(relayed.indexOf(current[100]));
    expect(tail.slice(0, 60)).toEqual(current.slice(100));
    const again = relayed.filter((id) => current.slice(0, 100).includes(id)).length - 100;
    seenR.report({ 'relayed again (before the restore point)': again });
    expect(seenR.lost).toBe(0);
    expect(restored.logger.all()).toMatch(/no longer holds event .* relaying again after position/);
  });

  it("publishes nothing while another application's key blocks the stream, then everything", async () => {
    const app = apps.at(-1)!;
    const before = (await relayedIds()).length;
    await admin.rename(STREAM, `${STREAM}:aside`);
    await admin.set(STREAM, 'another application');
    const tally = new Tally('10d stream key of the wrong type');
    const known = new Set((await app.app.get(EventStore).readAll()).map((e) => e.eventId));
    await save(app, 'w', 40);
    for (const e of await app.app.get(EventStore).readAll())
      if (!known.has(e.eventId)) tally.send(e.eventId);
    const relay = app.app.get(RelayService);
    await waitUntil(
      'the relay to report the failure',
      () => /WRONGTYPE/.test(relay.statuses().default.lastError ?? ''),
      30_000,
    );
    expect(await admin.get(STREAM)).toBe('another application');
    await admin.del(STREAM);
    await admin.rename(`${STREAM}:aside`, STREAM);
    await waitUntil(
      'the blocked batch relayed',
      async () => (await seeAll(tally)).lost === 0,
      30_000,
    );
    const seen = await seeAll(tally);
    seen.report({ 'stream entries before': before });
    expect([seen.lost, seen.duplicates]).toEqual([0, 0]);
  });
});
