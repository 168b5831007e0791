import 'reflect-metadata';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestBroker, waitFor, type TestBroker } from '../broker/broker.spec-helpers.js';
import { MessageCodec } from '../broker/codec/message-codec.js';
import { MemoryEventStore } from '../event-store/memory/memory-event-store.js';
import { EventRelay } from './event-relay.js';
import { relayKeys } from './relay-keys.js';

/**
 * Failures of the relay's own writes, made by Redis itself (no stand-in): another application's
 * key of the wrong type sits where the relay writes. A failed batch must leave the checkpoint
 * where it was, so the batch is published once the key is usable again — never skipped.
 */
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setup(): { store: MemoryEventStore; test: TestBroker; relay: EventRelay } {
  const store = new MemoryEventStore();
  const test = createTestBroker(['accounts']);
  const relay = new EventRelay({
    store,
    registry: test.registry,
    codec: new MessageCodec(),
    redis: test.admin,
    name: 'account',
    keyPrefix: test.prefix,
    lockTtl: 2_000,
    streams: new Map([['account', 'accounts']]),
    batchSize: 50,
    pollInterval: 20,
  });
  cleanups.push(() => test.close());
  cleanups.push(() => relay.stop());
  return { store, test, relay };
}

async function credit(store: MemoryEventStore, from: number, to: number): Promise<void> {
  for (let n = from; n <= to; n++)
    await store.append('a1', [{ type: 'Credited', data: { n } }], {
      expectedVersion: n - 1,
      aggregateName: 'account',
    });
}

async function versions(test: TestBroker): Promise<number[]> {
  const entries = await test.admin.xrange(test.key('accounts'), '-', '+');
  return entries.map(([, fields]) => Number(fields[fields.indexOf('version') + 1]));
}

describe('EventRelay when its writes fail', () => {
  it('publishes a batch whose publish failed once the stream is writable again', async () => {
    const { store, test, relay } = setup();
    // Another application's string where the stream goes: every XADD fails with WRONGTYPE.
    await test.admin.set(test.key('accounts'), 'not a stream');
    relay.start();
    await credit(store, 1, 6);
    await waitFor(() => /WRONGTYPE/.test(relay.status.lastError ?? ''), 20_000);
    expect(await test.admin.get(test.key('accounts'))).toBe('not a stream');
    const keys = relayKeys(test.prefix, await store.storeId(), 'account');
    expect(await test.admin.exists(keys.checkpoint)).toBe(0);

    await test.admin.del(test.key('accounts'));
    await waitFor(async () => (await versions(test)).length >= 6, 20_000);
    await waitFor(() => relay.status.checkpoint === 6, 20_000);
    expect(await versions(test)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(relay.status.lastError).toBeNull();
  });

  it('publishes a batch whose checkpoint could not be written once the checkpoint is back', async () => {
    const { store, test, relay } = setup();
    relay.start();
    await credit(store, 1, 3);
    await waitFor(() => relay.status.checkpoint === 3, 20_000);
    const keys = relayKeys(test.prefix, await store.storeId(), 'account');
    // The checkpoint hash is moved away and a string takes its place.
    await test.admin.rename(keys.checkpoint, `${keys.checkpoint}:saved`);
    await test.admin.set(keys.checkpoint, 'not a hash');
    await credit(store, 4, 6);
    await waitFor(() => /WRONGTYPE/.test(relay.status.lastError ?? ''), 20_000);
    expect(await versions(test)).toEqual([1, 2, 3]); // nothing of the failed batch landed

    await test.admin.rename(`${keys.checkpoint}:saved`, keys.checkpoint);
    await waitFor(async () => (await versions(test)).length >= 6, 20_000);
    await waitFor(() => relay.status.checkpoint === 6, 20_000);
    expect(await versions(test)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await test.admin.hget(keys.checkpoint, 'position')).toBe('6');
  });

  it('reads the checkpoint again when it was reset in Redis while running', async () => {
    const { store, test, relay } = setup();
    relay.start();
    await credit(store, 1, 3);
    await waitFor(() => relay.status.checkpoint === 3, 20_000);
    const keys = relayKeys(test.prefix, await store.storeId(), 'account');
    await test.admin.del(keys.checkpoint); // the documented reset: relay everything again
    await credit(store, 4, 4);
    await waitFor(async () => (await versions(test)).length >= 7, 20_000);
    expect(await versions(test)).toEqual([1, 2, 3, 1, 2, 3, 4]);
  });
});

describe('EventRelay checkpoint history', () => {
  it('stays bounded, dense near the head and reaches back to the first checkpoint', async () => {
    const store = new MemoryEventStore();
    const test = createTestBroker(['accounts']);
    const relay = new EventRelay({
      store,
      registry: test.registry,
      codec: new MessageCodec(),
      redis: test.admin,
      name: 'account',
      keyPrefix: test.prefix,
      lockTtl: 2_000,
      streams: new Map([['account', 'accounts']]),
      batchSize: 1, // one checkpoint per event
      pollInterval: 20,
      historySize: 16,
    });
    cleanups.push(() => test.close());
    cleanups.push(() => relay.stop());
    await credit(store, 1, 300);
    relay.start();
    await waitFor(() => relay.status.checkpoint === 300, 20_000);
    const keys = relayKeys(test.prefix, await store.storeId(), 'account');
    const positions = (await test.admin.lrange(keys.history, 0, -1)).map((e) =>
      Number(e.split(':')[0]),
    );
    expect(positions.length).toBe(16);
    expect(positions[0]).toBe(300);
    expect(positions.at(-1)).toBe(1);
    for (let i = 1; i < positions.length; i++) expect(positions[i]).toBeLessThan(positions[i - 1]);
    // Gaps grow with the distance from the head: a recent rewind goes back only a little.
    expect(positions[0] - positions[3]).toBeLessThanOrEqual(6);
    const gaps = positions.slice(1).map((p, i) => positions[i] - p);
    expect(gaps.at(-2)!).toBeGreaterThan(gaps[0]);
  });
});
