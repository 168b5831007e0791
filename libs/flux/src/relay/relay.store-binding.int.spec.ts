import 'reflect-metadata';
import mysql from 'mysql2/promise';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestBroker, waitFor, type TestBroker } from '../broker/broker.spec-helpers.js';
import { MessageCodec } from '../broker/codec/message-codec.js';
import { RelayCheckpointMismatchError } from '../errors/relay-checkpoint-mismatch.error.js';
import type { EventStore } from '../event-store/event-store.js';
import { MysqlEventStore } from '../event-store/mysql/mysql-event-store.js';
import { fluxTableNames } from '../event-store/mysql/mysql-schema.js';
import {
  dropTestTables,
  randomTablePrefix,
  TEST_MYSQL_URL,
} from '../event-store/mysql/mysql-test-support.js';
import { EventRelay } from './event-relay.js';
import { relayKeys } from './relay-keys.js';

/**
 * The relay's checkpoint belongs to the store it describes: real MySQL stores (different table
 * prefixes) behind one Redis key prefix, the relay named the same (same aggregate names).
 */
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function mysqlStore(tablePrefix = randomTablePrefix()): Promise<MysqlEventStore> {
  const store = await MysqlEventStore.create({
    url: TEST_MYSQL_URL,
    synchronize: true,
    tablePrefix,
    poolSize: 2,
  });
  cleanups.push(async () => {
    await store.close();
    await dropTestTables(tablePrefix);
  });
  return store;
}

function relayOn(store: EventStore, test: TestBroker, batchSize = 50): EventRelay {
  const relay = new EventRelay({
    store,
    registry: test.registry,
    codec: new MessageCodec(),
    redis: test.admin,
    name: 'account',
    keyPrefix: test.prefix,
    lockTtl: 2_000,
    streams: new Map([['account', 'accounts']]),
    batchSize,
    pollInterval: 20,
  });
  cleanups.push(() => relay.stop());
  return relay;
}

/** Appends `n` events, one new aggregate each; returns their event ids in position order. */
async function save(store: EventStore, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const [event] = await store.append(`a-${randomUUID()}`, [{ type: 'Credited', data: { i } }], {
      expectedVersion: 0,
      aggregateName: 'account',
    });
    ids.push(event.eventId);
  }
  return ids;
}

async function relayedIds(test: TestBroker): Promise<string[]> {
  const entries = await test.admin.xrange(test.key('accounts'), '-', '+');
  return entries.map(([, fields]) => fields[fields.indexOf('event_id') + 1]);
}

/** What a restore from an older backup does: the events after `position` are gone. */
async function rewind(prefix: string, position: number): Promise<void> {
  const t = fluxTableNames(prefix);
  const connection = await mysql.createConnection(TEST_MYSQL_URL);
  try {
    await connection.query(`DELETE FROM ${t.events} WHERE position > ?`, [position]);
    await connection.query(`UPDATE ${t.sequence} SET last_position = ?`, [position]);
  } finally {
    await connection.end();
  }
}

describe('EventRelay bound to its event store', () => {
  it('relays a fresh store from the start behind the checkpoint of another store', async () => {
    const test = createTestBroker(['accounts']);
    cleanups.push(() => test.close());
    const old = await mysqlStore();
    const oldIds = await save(old, 12);
    const first = relayOn(old, test);
    first.start();
    await waitFor(() => first.status.checkpoint === 12, 20_000);
    await first.stop();

    const fresh = await mysqlStore();
    const freshIds = await save(fresh, 7);
    const second = relayOn(fresh, test);
    second.start();
    await waitFor(async () => (await relayedIds(test)).length === 19, 20_000);
    expect(await relayedIds(test)).toEqual([...oldIds, ...freshIds]);
    // The old store's checkpoint is untouched: it resumes where it was when it comes back.
    const oldKeys = relayKeys(test.prefix, await old.storeId(), 'account');
    expect(await test.admin.hget(oldKeys.checkpoint, 'position')).toBe('12');
    expect(await test.admin.pttl(oldKeys.checkpoint)).toBe(-1); // a database outlives the process
  });

  it('relays two stores with the same aggregate names on one Redis at once, both fully', async () => {
    const test = createTestBroker(['accounts']);
    cleanups.push(() => test.close());
    const a = await mysqlStore();
    const b = await mysqlStore();
    const relayA = relayOn(a, test, 5);
    const relayB = relayOn(b, test, 5);
    relayA.start();
    relayB.start();
    const [idsA, idsB] = await Promise.all([save(a, 30), save(b, 30)]);
    await waitFor(async () => (await relayedIds(test)).length === 60, 20_000);
    const relayed = await relayedIds(test);
    // Each store's events in its own order, none skipped, none twice.
    expect(relayed.filter((id) => idsA.includes(id))).toEqual(idsA);
    expect(relayed.filter((id) => idsB.includes(id))).toEqual(idsB);
    expect(relayA.status.leader && relayB.status.leader).toBe(true);
  });

  it('relays a rewound store again from the last checkpoint it still agrees with', async () => {
    const test = createTestBroker(['accounts']);
    cleanups.push(() => test.close());
    const prefix = randomTablePrefix();
    const store = await mysqlStore(prefix);
    const first = relayOn(store, test);
    first.start();
    const before = await save(store, 5);
    await waitFor(() => first.status.checkpoint === 5, 20_000);
    before.push(...(await save(store, 5)));
    await waitFor(() => first.status.checkpoint === 10, 20_000);
    await first.stop();

    // Restored from a backup taken at position 7, then written to: positions 8..11 are new
    // events, so the checkpoint's position 10 exists again, holding another event.
    await rewind(prefix, 7);
    const after = await save(store, 4);
    const current = [...before.slice(0, 7), ...after];
    const relay = relayOn(store, test);
    relay.start();
    // The relay goes back to the newest earlier checkpoint the store still holds (5, or 6 or 7
    // when a round published part of the burst) and relays everything after it again, in order.
    await waitFor(() => relay.status.checkpoint === 11, 20_000);
    const again = (await relayedIds(test)).slice(10);
    expect(again.length).toBeGreaterThanOrEqual(4);
    expect(again.length).toBeLessThanOrEqual(6);
    expect(again).toEqual(current.slice(current.length - again.length));
    expect(relay.status).toMatchObject({ checkpoint: 11, lastError: null });
    expect(relay.status.checkpointEventId).toBe(after[3]);
  });

  it('stops with a typed error when no checkpoint matches, until the checkpoint is reset', async () => {
    const test = createTestBroker(['accounts']);
    cleanups.push(() => test.close());
    const prefix = randomTablePrefix();
    const store = await mysqlStore(prefix);
    const first = relayOn(store, test);
    await save(store, 10);
    first.start(); // one batch: its only checkpoint is 10
    await waitFor(() => first.status.checkpoint === 10, 20_000);
    await first.stop();

    await rewind(prefix, 3); // below every checkpoint the relay wrote
    const after = await save(store, 8); // positions 4..11: 10 holds another event now
    const relay = relayOn(store, test);
    relay.start();
    await waitFor(() => relay.status.lastError !== null, 20_000);
    const storeId = await store.storeId();
    expect(relay.status.lastError).toContain(storeId);
    expect(relay.status.lastError).toContain('position 10');
    expect(relay.status.leader).toBe(true); // still leads, so health reports it down
    expect(new RelayCheckpointMismatchError(storeId, 10, 'x', 'k').code).toBe(
      'RELAY_CHECKPOINT_MISMATCH',
    );
    expect((await relayedIds(test)).length).toBe(10); // nothing skipped, nothing guessed

    await relay.resetCheckpoint(3);
    await waitFor(async () => (await relayedIds(test)).length === 18, 20_000);
    expect((await relayedIds(test)).slice(10)).toEqual(after);
    await waitFor(() => relay.status.lastError === null, 20_000);
  });
});
