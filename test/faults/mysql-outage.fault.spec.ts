import { Injectable } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AggregateRepository,
  type BrokerConsumer,
  EventBroker,
  EventStoreUnavailableError,
  FluxError,
  InjectAggregateRepository,
} from 'nestjs-flux';
import { startFaultApp, type FaultApp } from './support/app.js';
import { FaultCredited, FaultOpened, StreamedAccount } from './support/account.js';
import { REDIS_URL } from './support/env.js';
import { dropTables, mysqlTarget, queryRows, tablePrefix, viaPort } from './support/mysql.js';
import { deleteKeys, keyPrefix } from './support/redis-keys.js';
import { report, Tally } from './support/tally.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { FeedConsumer, MemoryOffsetStore } from 'nestjs-flux';
import { waitUntil, within } from './support/wait.js';

/**
 * Fault 3: MariaDB becomes unreachable (the test's own TCP proxy in front of it is cut: open
 * connections reset, new ones refused) while commands run, then comes back. Commands fail with
 * a typed error and store all of their events or none; the relay (store → Redis stream) and the
 * HTTP feed (followed by a FeedConsumer) resume by themselves and deliver every stored event.
 */
@Injectable()
class Commands {
  constructor(
    @InjectAggregateRepository(StreamedAccount) readonly repo: AggregateRepository<StreamedAccount>,
  ) {}

  /** Two events per command (a save is one append): a half-stored command is visible. */
  async run(id: string, uid: string, isNew: boolean): Promise<void> {
    if (isNew) {
      const acc = this.repo.create(id);
      acc.open(uid);
      acc.credit(1, uid);
      await this.repo.save(acc);
    } else {
      await this.repo.update(
        id,
        (acc) => {
          acc.credit(1, `${uid}-a`);
          acc.credit(1, `${uid}-b`);
        },
        { retries: 20 },
      );
    }
  }
}

const COMMANDS = 240;
const ACCOUNTS = 12; // a multiple of 4: a wave never touches one account twice

describe('fault 3: MariaDB unreachable during commands', () => {
  const prefix = tablePrefix('outage');
  const keys = keyPrefix('outage');
  let proxy: TcpProxy;
  let fault: FaultApp;
  let consumer: FeedConsumer | undefined;
  let reader: BrokerConsumer | undefined;

  beforeAll(async () => {
    const target = mysqlTarget();
    proxy = await TcpProxy.start(target.host, target.port);
    fault = await startFaultApp({
      flux: {
        eventStore: {
          type: 'mysql',
          url: viaPort(proxy.port),
          tablePrefix: prefix,
          synchronize: true,
          // Passed through to MysqlEventStore.create: fail fast while the proxy is cut.
          connectTimeoutMs: 2_000,
        } as never,
        redis: { default: REDIS_URL },
        keyPrefix: keys,
        streams: ['fault-accounts'],
        relay: { pollInterval: 50 },
        feed: { pageSize: 100 },
      },
      feed: { pollMs: 100 },
      aggregates: [StreamedAccount],
      providers: [Commands],
      http: true,
    });
  });

  afterAll(async () => {
    await consumer?.stop().catch(() => undefined);
    await reader?.close().catch(() => undefined);
    await fault?.close();
    await proxy?.close();
    await dropTables(prefix);
    await deleteKeys(keys);
  });

  it('fails commands with a typed error, stores no half command, and the relay and feed resume', async () => {
    const commands = fault.app.get(Commands);
    const broker = fault.app.get(EventBroker);
    reader = await broker.consumerMany('fault-accounts', { group: 'outage-check' });
    const relayed = new Tally('3 relay → stream');
    const fed = new Tally('3 feed → FeedConsumer');
    const relayedIds: string[] = [];
    let reading = true;
    const readLoop = (async () => {
      while (reading) {
        await reader!
          .consume(500, 100, (events) => {
            for (const e of events) relayedIds.push(e.tag('event_id')!);
          })
          .catch(() => undefined);
      }
    })();
    const fedIds: string[] = [];
    consumer = new FeedConsumer({
      url: `${fault.origin}/events`,
      name: 'outage',
      interval: 100,
      events: [FaultOpened, FaultCredited],
      offsetStore: new MemoryOffsetStore(),
      logger: { warn: () => undefined, error: () => undefined },
    } as never);
    consumer.start(async (_event, feedEvent) => {
      fedIds.push(feedEvent.event_id);
    });

    const created = new Set<string>();
    const outcomes = { ok: 0, unavailable: 0, otherFlux: 0, untyped: 0 };
    const untyped: unknown[] = [];
    const failedUids: string[] = [];
    const runOne = async (n: number) => {
      const id = `acc-${n % ACCOUNTS}`;
      const uid = `c${n}`;
      // The first command of an account opens it; after a failed open it is tried again.
      const isNew = !created.has(id);
      try {
        await within(30_000, `command ${uid}`, commands.run(id, uid, isNew));
        outcomes.ok++;
        created.add(id);
      } catch (error) {
        failedUids.push(uid);
        if (error instanceof EventStoreUnavailableError) outcomes.unavailable++;
        else if (error instanceof FluxError) outcomes.otherFlux++;
        else {
          outcomes.untyped++;
          untyped.push(error);
        }
        // A failed open may still have been stored (the reply was lost): look before reopening.
        if (isNew && !proxy.cutOff && (await commands.repo.find(id).catch(() => null)))
          created.add(id);
      }
    };
    // Waves of 4 commands on 4 different accounts: several connections are in flight when the
    // proxy is cut. The outage lasts from wave 20 to wave 40 (at least 2 s).
    let cutAt = -1;
    let restoredAt = -1;
    for (let wave = 0; wave < COMMANDS / 4; wave++) {
      if (wave === 40) {
        // At least 2 s without a database, then back for the last 20 waves.
        await new Promise((resolve) =>
          setTimeout(resolve, Math.max(0, 2_000 - (Date.now() - cutAt))),
        );
        proxy.restore();
        restoredAt = Date.now();
      }
      const inFlight = Promise.all([0, 1, 2, 3].map((k) => runOne(wave * 4 + k)));
      if (wave === 20) {
        // Cut while this wave's queries are on the wire.
        await new Promise((resolve) => setTimeout(resolve, 3));
        proxy.cut();
        cutAt = Date.now();
      }
      await inFlight;
      if (proxy.cutOff) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (proxy.cutOff) {
      proxy.restore();
      restoredAt = Date.now();
    }
    const outageMs = restoredAt - cutAt;

    // Ground truth straight from MariaDB (not through the proxy).
    const rows = await queryRows<{ event_id: string; uid: string; position: number | null }>(
      `SELECT event_id, COALESCE(JSON_VALUE(data, '$.uid'), JSON_VALUE(data, '$.owner')) AS uid, position FROM \`${prefix}events\` ORDER BY id`,
    );
    // Every command stored both of its events or neither.
    const perCommand = new Map<string, number>();
    for (const row of rows) {
      const command = (row.uid ?? '').replace(/-[ab]$/, '');
      perCommand.set(command, (perCommand.get(command) ?? 0) + 1);
    }
    const halfStored = [...perCommand].filter(([, n]) => n !== 2).map(([c]) => c);
    const failedButStored = failedUids.filter((uid) => perCommand.has(uid));

    for (const row of rows) {
      relayed.send(row.event_id);
      fed.send(row.event_id);
    }
    await waitUntil(
      'the relay to publish every stored event',
      () => new Set(relayedIds).size >= rows.length,
      60_000,
      () => `${new Set(relayedIds).size}/${rows.length}`,
    );
    await waitUntil(
      'the feed consumer to receive every stored event',
      () => new Set(fedIds).size >= rows.length,
      60_000,
      () => `${new Set(fedIds).size}/${rows.length}`,
    );
    reading = false;
    await readLoop;
    relayedIds.forEach((id) => relayed.see(id));
    fedIds.forEach((id) => fed.see(id));

    report('3 commands', {
      sent: COMMANDS,
      ok: outcomes.ok,
      failedUnavailable: outcomes.unavailable,
      failedOtherFluxError: outcomes.otherFlux,
      failedUntyped: outcomes.untyped,
      failedButStored: failedButStored.length,
      halfStored: halfStored.length,
      outageMs,
      storedEvents: rows.length,
    });
    relayed.report();
    fed.report();

    expect(untyped.map(String)).toEqual([]);
    expect(outcomes.unavailable + outcomes.otherFlux).toBeGreaterThan(0);
    expect(halfStored).toEqual([]);
    expect(rows.every((r) => r.position !== null)).toBe(true);
    expect(relayed.lost).toBe(0);
    expect(fed.lost).toBe(0);
    expect(fed.duplicates).toBe(0);
    expect(relayed.unknown.size + fed.unknown.size).toBe(0);
  });
});

/**
 * Fault 3b: the network to MariaDB becomes a black hole (packets dropped, no reset): the proxy
 * keeps every connection open and forwards nothing. An append must still end, with a typed
 * error, within a bounded time; it must never hang.
 */
describe('fault 3b: MariaDB behind a black hole', () => {
  const prefix = tablePrefix('blackhole');
  let proxy: TcpProxy;
  let store: import('nestjs-flux').MysqlEventStore | undefined;

  afterAll(async () => {
    proxy?.restore();
    await store?.close();
    await proxy?.close();
    await dropTables(prefix);
  });

  it('ends an append in flight with a typed error instead of hanging', async () => {
    const target = mysqlTarget();
    proxy = await TcpProxy.start(target.host, target.port);
    const { createMysqlStore } = await import('./support/mysql.js');
    store = await createMysqlStore(prefix, { url: viaPort(proxy.port), connectTimeoutMs: 2_000 });
    await store.append('bh-1', [{ type: 'T', data: { n: 1 } }], {
      expectedVersion: 0,
      aggregateName: 'a',
    });
    proxy.stall();
    const started = Date.now();
    const outcome = await within(
      15_000,
      'an append while the network drops every packet',
      store.append('bh-1', [{ type: 'T', data: { n: 2 } }], {
        expectedVersion: 1,
        aggregateName: 'a',
      }),
    ).then(
      () => 'stored',
      (error: unknown) => error,
    );
    const ms = Date.now() - started;
    const hung = outcome instanceof Error && /hung/.test(outcome.message);
    report('3b black hole', {
      sent: 1,
      outcome: hung ? 'hung' : outcome instanceof Error ? outcome.name : String(outcome),
      ms,
    });
    expect(outcome).toBeInstanceOf(FluxError);
  });
});

/**
 * Fault 3c: the INSERT reaches MariaDB and commits, but its reply is lost and the database stays
 * unreachable. The append cannot know whether its events were stored; the error it throws must
 * not claim that nothing was written (a caller would retry and, with `'any'`, store it twice).
 */
describe('fault 3c: the reply of a committed append is lost', () => {
  const prefix = tablePrefix('lostreply');
  let proxy: TcpProxy;
  let store: import('nestjs-flux').MysqlEventStore | undefined;

  afterAll(async () => {
    proxy?.restore();
    await store?.close();
    await proxy?.close();
    await dropTables(prefix);
  });

  it('does not report "Nothing was written" when the events were stored', async () => {
    const target = mysqlTarget();
    proxy = await TcpProxy.start(target.host, target.port);
    const { createMysqlStore } = await import('./support/mysql.js');
    store = await createMysqlStore(prefix, { url: viaPort(proxy.port), connectTimeoutMs: 2_000 });
    await store.append('lost-1', [{ type: 'T', data: { n: 1 } }], {
      expectedVersion: 0,
      aggregateName: 'a',
    });
    proxy.dropReplies();
    const append = store
      .append('lost-1', [{ type: 'T', data: { n: 2, marker: 'lost-reply' } }], {
        expectedVersion: 1,
        aggregateName: 'a',
      })
      .then(
        () => null,
        (error: unknown) => error,
      );
    // Wait (on the real server) until the row is committed, then take the database away.
    const { queryRows } = await import('./support/mysql.js');
    const { waitUntil: until } = await import('./support/wait.js');
    await until(
      'the INSERT to commit on the server',
      async () =>
        (
          await queryRows(
            `SELECT 1 FROM \`${prefix}events\` WHERE JSON_VALUE(data, '$.marker') = 'lost-reply'`,
          )
        ).length === 1,
      10_000,
    );
    proxy.cut();
    const error = await within(30_000, 'the append to end', append);
    const stored = (
      await queryRows(
        `SELECT 1 FROM \`${prefix}events\` WHERE JSON_VALUE(data, '$.marker') = 'lost-reply'`,
      )
    ).length;
    report('3c lost reply', {
      sent: 1,
      stored,
      error: error instanceof Error ? error.name : String(error),
      claimsNothingWritten: String(
        error instanceof Error && /Nothing was written/.test(error.message),
      ),
    });
    expect(stored).toBe(1);
    expect(error).toBeInstanceOf(FluxError);
    expect((error as Error).message).not.toMatch(/Nothing was written/);
  });
});
