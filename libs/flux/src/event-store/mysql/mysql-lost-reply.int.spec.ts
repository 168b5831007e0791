import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EventStoreUnavailableError } from '../../errors/event-store-unavailable.error.js';
import type { AppendOptions } from '../event-store.types.js';
import { MysqlEventStore } from './mysql-event-store.js';
import { fluxTableNames } from './mysql-schema.js';
import { dropTestTables, randomTablePrefix, TEST_MYSQL_URL } from './mysql-test-support.js';
import { ReplyCuttingProxy } from './reply-cutting-proxy.spec-helpers.js';

const tick = (n: number) => ({ type: 'Tick', data: { n } });
const as = (expectedVersion: number): AppendOptions => ({ expectedVersion, aggregateName: 'g' });

/**
 * A group commit whose connection drops mid-statement: the store cannot know from the driver
 * whether the COMMIT ran. It must find out from the table: rows there are reported stored with
 * their positions (never written twice, never reported failed); rows not there are reported as
 * the connection failure.
 */
describe('MysqlEventStore when a group commit loses its connection', () => {
  const tablePrefix = randomTablePrefix();
  const tables = fluxTableNames(tablePrefix);
  const insertMarker = `INSERT INTO ${tables.events} `;
  let proxy: ReplyCuttingProxy;
  let store: MysqlEventStore;
  let side: mysql.Connection;

  beforeAll(async () => {
    const target = new URL(TEST_MYSQL_URL);
    proxy = await ReplyCuttingProxy.start(target.hostname, Number(target.port || 3306));
    target.port = String(proxy.port);
    store = await MysqlEventStore.create({
      url: target.toString(),
      synchronize: true,
      tablePrefix,
      // One group at a time, so appends made together share one INSERT.
      groupCommit: { inFlight: 1 },
      queryTimeoutMs: 30_000,
    });
    side = await mysql.createConnection(TEST_MYSQL_URL);
  });
  afterAll(async () => {
    await store?.close();
    await Promise.all([proxy?.close(), side?.end()]);
    await dropTestTables(tablePrefix);
  });

  async function rowsOf(aggregateId: string) {
    const [rows] = await side.query<mysql.RowDataPacket[]>(
      `SELECT event_id, version, position FROM ${tables.events} WHERE aggregate_id = ? ORDER BY version`,
      [aggregateId],
    );
    return rows.map((r) => ({ eventId: r.event_id, version: r.version, position: r.position }));
  }

  it('reports every member of a group committed when only the reply to its COMMIT was lost', async () => {
    proxy.loseReply(insertMarker);
    const both = Promise.all([
      store.append('lost-a', [tick(1), tick(2)], as(0)),
      store.append('lost-b', [tick(1)], as(0)),
    ]);
    // The server ran the whole packet (the rows are visible: committed), the client has no reply.
    await vi.waitFor(
      async () => {
        expect(proxy.holding).toBe(true);
        expect(await rowsOf('lost-a')).toHaveLength(2);
        expect(await rowsOf('lost-b')).toHaveLength(1);
      },
      { timeout: 20_000, interval: 20 },
    );
    proxy.cut();

    const [a, b] = await both;
    const stored = (events: typeof a) =>
      events.map((e) => ({ eventId: e.eventId, version: e.version, position: e.position }));
    expect(stored(a)).toEqual(await rowsOf('lost-a'));
    expect(stored(b)).toEqual(await rowsOf('lost-b'));
    expect(a.map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(new Set([...a, ...b].map((e) => e.position)).size).toBe(3);

    // The store goes on from the versions it reported.
    const [next] = await store.append('lost-a', [tick(3)], as(2));
    expect(next.version).toBe(3);
    expect(await rowsOf('lost-a')).toHaveLength(3);
  });

  it('reports the connection failure when the group never reached the server, having stored nothing', async () => {
    proxy.loseRequest(insertMarker);
    const error = await store.append('never', [tick(1)], as(0)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EventStoreUnavailableError);
    expect(await rowsOf('never')).toEqual([]);

    // Nothing was stored, so the same append goes through once the network is back.
    const [again] = await store.append('never', [tick(1)], as(0));
    expect(await rowsOf('never')).toEqual([
      { eventId: again.eventId, version: 1, position: again.position },
    ]);
  });
});
