import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConcurrencyError } from '../errors/concurrency.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { SerializationError } from '../errors/serialization.error.js';
import type { EventStore } from './event-store.js';
import type { NewEvent } from './event-store.types.js';

/**
 * A store under test and how to dispose of it (drop tables, close pools).
 * @internal
 */
export interface EventStoreContractSubject {
  store: EventStore;
  teardown(): Promise<void>;
  /** Opens the same tables again in a new instance (stores that persist); closed by the suite. */
  reopen?(): Promise<EventStore>;
  /**
   * Another store of the same kind (other tables or database), disposed of by its teardown;
   * every store's suite should give one, so the store id is proven to differ between stores.
   */
  another?(): Promise<EventStoreContractSubject>;
}

const events = (n: number, type = 'Credited'): NewEvent[] =>
  Array.from({ length: n }, (_, i) => ({ type, data: { amount: i + 1 } }));
const id = (label = 'acc') => `${label}-${randomUUID()}`;
const opts = (expectedVersion: number | 'any', aggregateName = 'account') => ({
  expectedVersion,
  aggregateName,
});

/**
 * The behaviour every `EventStore` shares. Tests use fresh aggregate ids and positions relative
 * to `lastPosition()`, so one store serves the whole suite.
 * @internal
 */
export function describeEventStoreContract(
  name: string,
  factory: () => Promise<EventStoreContractSubject>,
): void {
  describe(`${name} (event store contract)`, () => {
    let subject: EventStoreContractSubject;
    let store: EventStore;
    beforeAll(async () => {
      subject = await factory();
      store = subject.store;
    });
    afterAll(() => subject?.teardown());

    it('numbers versions 1..n and gives strictly increasing positions', async () => {
      const agg = id();
      const first = await store.append(agg, events(3), opts(0));
      const second = await store.append(agg, events(2), opts(3));
      const all = [...first, ...second];
      expect(all.map((e) => e.version)).toEqual([1, 2, 3, 4, 5]);
      for (let i = 1; i < all.length; i++)
        expect(all[i].position).toBeGreaterThan(all[i - 1].position);
      expect(all[0]).toMatchObject({
        aggregateId: agg,
        aggregateName: 'account',
        type: 'Credited',
      });
      expect(all[0].createdAt).toBeInstanceOf(Date);
      expect(await store.lastPosition()).toBeGreaterThanOrEqual(all[4].position);
      expect(await store.readStream(agg)).toEqual(all);
    });

    it('reads a stream from a version with a limit', async () => {
      const agg = id();
      await store.append(agg, events(6), opts(0));
      const page = await store.readStream(agg, { fromVersion: 3, limit: 2 });
      expect(page.map((e) => e.version)).toEqual([3, 4]);
      expect((await store.readStream(agg, { fromVersion: 5 })).map((e) => e.version)).toEqual([
        5, 6,
      ]);
      expect(await store.readStream(agg, { fromVersion: 7 })).toEqual([]);
      expect(await store.readStream(id('unknown'))).toEqual([]);
    });

    it('reads the global log after a position with a limit', async () => {
      const start = await store.lastPosition();
      const a = await store.append(id(), events(2), opts(0));
      const b = await store.append(id(), events(3), opts(0));
      const log = await store.readAll({ after: start });
      expect(log).toEqual([...a, ...b]);
      expect(await store.readAll({ after: start, limit: 2 })).toEqual(a);
      expect(await store.readAll({ after: a[1].position, limit: 10 })).toEqual(b);
      expect(await store.readAll({ after: b[2].position })).toEqual([]);
      expect(await store.lastPosition()).toBe(b[2].position);
    });

    it('gets one event by id, or null', async () => {
      const [event] = await store.append(id(), events(1), opts(0));
      expect(await store.getEvent(event.eventId)).toEqual(event);
      expect(await store.getEvent(randomUUID())).toBeNull();
    });

    it('lets exactly one of two racing appends win; the loser stores nothing', async () => {
      const agg = id();
      await store.append(agg, events(1), opts(0));
      const results = await Promise.allSettled([
        store.append(agg, events(2, 'A'), opts(1)),
        store.append(agg, events(2, 'B'), opts(1)),
      ]);
      const lost = results.filter((r) => r.status === 'rejected');
      expect(lost).toHaveLength(1);
      const error = (lost[0] as PromiseRejectedResult).reason;
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({
        aggregateId: agg,
        aggregateName: 'account',
        expectedVersion: 1,
        actualVersion: 3,
      });
      const stream = await store.readStream(agg);
      expect(stream.map((e) => e.version)).toEqual([1, 2, 3]);
      expect(new Set(stream.slice(1).map((e) => e.type)).size).toBe(1);
    });

    it('rejects a stale or future expected version with a message naming both versions', async () => {
      const agg = id();
      await store.append(agg, events(2), opts(0));
      await expect(store.append(agg, events(1), opts(1))).rejects.toThrow(ConcurrencyError);
      await expect(store.append(agg, events(1), opts(0))).rejects.toThrow(ConcurrencyError);
      const future = store.append(agg, events(1), opts(5));
      await expect(future).rejects.toThrow(
        /account "acc-.*": expected version 5, but the stored version is 2/,
      );
      await expect(store.append(agg, [], opts(1))).rejects.toThrow(ConcurrencyError);
      expect(await store.append(agg, [], opts(2))).toEqual([]);
      expect(await store.readStream(agg)).toHaveLength(2);
    });

    it("appends at the current version with 'any', also when racing", async () => {
      const agg = id();
      expect((await store.append(agg, events(2), opts('any'))).map((e) => e.version)).toEqual([
        1, 2,
      ]);
      await Promise.all(Array.from({ length: 8 }, () => store.append(agg, events(2), opts('any'))));
      const versions = (await store.readStream(agg)).map((e) => e.version);
      expect(versions).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
    });

    it('stores none of a batch whose second event cannot be serialised', async () => {
      const agg = id();
      const start = await store.lastPosition();
      const bad: NewEvent[] = [
        { type: 'Ok', data: { a: 1 } },
        { type: 'Bad', data: { n: BigInt(1) } },
      ];
      await expect(store.append(agg, bad, opts(0))).rejects.toThrow(SerializationError);
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      await expect(
        store.append(agg, [bad[0], { type: 'Bad', data: cyclic }], opts(0)),
      ).rejects.toThrow(SerializationError);
      expect(await store.readStream(agg)).toEqual([]);
      expect(await store.readAll({ after: start })).toEqual([]);
    });

    it('rejects malformed input before touching storage', async () => {
      const bad = (promise: Promise<unknown>) =>
        expect(promise).rejects.toThrow(InvalidArgumentError);
      await bad(store.append('', events(1), opts(0)));
      await bad(store.append('x'.repeat(256), events(1), opts(0)));
      await bad(store.append(42 as unknown as string, events(1), opts(0)));
      await bad(store.append(id(), events(1), opts(0, '')));
      await bad(store.append(id(), events(1), opts(-1)));
      await bad(store.append(id(), events(1), opts(1.5)));
      await bad(store.append(id(), 'nope' as unknown as NewEvent[], opts(0)));
      await bad(store.append(id(), [{ type: '', data: {} }], opts(0)));
      await bad(store.append(id(), [{ type: 7 as unknown as string, data: {} }], opts(0)));
      await bad(store.append(id(), [{ type: 'x'.repeat(256), data: {} }], opts(0)));
      expect((await store.append('x'.repeat(255), events(1), opts('any'))).length).toBe(1);
    });

    it('refuses an aggregate id that belongs to another aggregate name', async () => {
      const agg = id();
      await store.append(agg, events(1), opts(0, 'account'));
      await expect(store.append(agg, events(1), opts(1, 'customer'))).rejects.toThrow(
        InvalidArgumentError,
      );
      await expect(store.append(agg, events(1), opts('any', 'customer'))).rejects.toThrow(
        /is a account/,
      );
      await expect(store.append(agg, events(1), opts(1, 'customer'))).rejects.toMatchObject({
        field: 'aggregateName',
      });
      expect(await store.readStream(agg)).toHaveLength(1);
    });

    it('an empty append checks the version, stores nothing and tells no listener', async () => {
      const agg = id();
      await store.append(agg, events(2), opts(0));
      const before = await store.lastPosition();
      const seen: unknown[] = [];
      const off = store.onAppended((stored) => seen.push(stored));
      try {
        expect(await store.append(agg, [], opts(2))).toEqual([]);
        expect(await store.append(id(), [], opts(0))).toEqual([]);
        await expect(store.append(agg, [], opts(1))).rejects.toThrow(ConcurrencyError);
      } finally {
        off();
      }
      expect(seen).toEqual([]);
      expect(await store.lastPosition()).toBe(before);
      expect(await store.readStream(agg)).toHaveLength(2);
    });

    it("keeps its own copy: changing the caller's data or a returned event changes nothing stored", async () => {
      const agg = id();
      const data = { amount: 1, items: [{ sku: 'a' }] };
      const metadata = { user: 'u-1' };
      const [written] = await store.append(agg, [{ type: 'Rich', data, metadata }], opts(0));
      data.items[0].sku = 'changed by the caller';
      metadata.user = 'changed by the caller';
      (written.data as typeof data).items.push({ sku: 'changed through the result' });
      (written.metadata as typeof metadata).user = 'changed through the result';
      const [read] = await store.readStream(agg);
      expect(read.data).toEqual({ amount: 1, items: [{ sku: 'a' }] });
      expect(read.metadata).toEqual({ user: 'u-1' });
      (read.data as typeof data).amount = 99;
      const [fromLog] = await store.readAll({ after: read.position - 1, limit: 1 });
      expect(fromLog.data).toEqual({ amount: 1, items: [{ sku: 'a' }] });
      expect((await store.getEvent(read.eventId))?.data).toEqual({
        amount: 1,
        items: [{ sku: 'a' }],
      });
    });

    it('keeps ids that differ only in case or trailing spaces apart', async () => {
      const agg = id('Case');
      for (const variant of [agg, agg.toLowerCase(), `${agg} `]) {
        expect((await store.append(variant, events(1), opts(0)))[0].version).toBe(1);
      }
      expect(await store.readStream(`${agg} `)).toHaveLength(1);
    });

    it('round-trips data and metadata exactly', async () => {
      const data = {
        text: 'Grüße, 日本語, emoji 🎉👩‍👩‍👧, quotes \' " \\ ? and a\nnewline',
        nested: { list: [1, 2.5, -3, null, true, { deep: ['x'] }], empty: {}, none: [] },
        zero: 0,
        big: 9007199254740991,
      };
      const agg = id();
      const [written] = await store.append(
        agg,
        [{ type: 'Rich', data, metadata: { user: 'ü-1', trace: { id: 7 } } }],
        opts(0),
      );
      const [plain] = await store.append(agg, [{ type: 'Plain', data: 'just a string' }], opts(1));
      const [read, readPlain] = await store.readStream(agg);
      expect(read.data).toEqual(data);
      expect(written.data).toEqual(data);
      expect(read.metadata).toEqual({ user: 'ü-1', trace: { id: 7 } });
      expect(readPlain.data).toBe('just a string');
      expect(readPlain.metadata).toEqual({});
      expect(plain.metadata).toEqual({});
    });

    it('saves, loads and overwrites snapshots', async () => {
      const agg = id();
      expect(await store.loadSnapshot(agg, 'account')).toBeNull();
      await store.saveSnapshot({
        aggregateId: agg,
        aggregateName: 'account',
        version: 3,
        schemaVersion: 1,
        state: { balance: 30 },
      });
      const first = await store.loadSnapshot(agg, 'account');
      expect(first).toMatchObject({
        aggregateId: agg,
        aggregateName: 'account',
        version: 3,
        schemaVersion: 1,
        state: { balance: 30 },
      });
      expect(first?.createdAt).toBeInstanceOf(Date);
      await store.saveSnapshot({
        aggregateId: agg,
        aggregateName: 'account',
        version: 9,
        schemaVersion: 2,
        state: { balance: 90, tags: ['ü'] },
      });
      expect(await store.loadSnapshot(agg, 'account')).toMatchObject({
        version: 9,
        schemaVersion: 2,
        state: { balance: 90, tags: ['ü'] },
      });
      expect(await store.loadSnapshot(agg, 'customer')).toBeNull();
    });

    it('has a store id that is stable, survives reopening and differs between stores', async () => {
      const id = await store.storeId();
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(await store.storeId()).toBe(id);
      if (subject.reopen) {
        const again = await subject.reopen();
        try {
          expect(await again.storeId()).toBe(id);
        } finally {
          await again.close();
        }
      }
      if (subject.another) {
        const other = await subject.another();
        try {
          expect(await other.store.storeId()).not.toBe(id);
        } finally {
          await other.teardown();
        }
      }
    });

    it('tells listeners about appended events', async () => {
      const seen: number[] = [];
      const off = store.onAppended((stored) => seen.push(...stored.map((e) => e.position)));
      const stored = await store.append(id(), events(2), opts(0));
      off();
      await store.append(id(), events(1), opts(0));
      expect(seen).toEqual(stored.map((e) => e.position));
    });
  });
}
