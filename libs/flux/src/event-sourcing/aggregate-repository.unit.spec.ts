import 'reflect-metadata';
import { beforeEach, describe, expect, it } from 'vitest';
import { AggregateNotFoundError } from '../errors/aggregate-not-found.error.js';
import { ConcurrencyError } from '../errors/concurrency.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { UnknownEventTypeError } from '../errors/unknown-event-type.error.js';
import { MemoryEventStore } from '../event-store/memory/memory-event-store.js';
import { aggregateEventClasses, aggregateMetadataOf } from './aggregate-metadata.js';
import { AggregateRepository } from './aggregate-repository.js';
import { EventRegistry } from './event-registry.js';
import { Account, AccountOpened, InsufficientFundsError } from './fixtures/account.fixture.js';

function setup() {
  const store = new MemoryEventStore();
  const registry = new EventRegistry();
  registry.register(...aggregateEventClasses(Account));
  const repo = new AggregateRepository(Account, aggregateMetadataOf(Account), store, registry);
  return { store, registry, repo };
}

describe('AggregateRepository (memory store)', () => {
  let ctx: ReturnType<typeof setup>;
  beforeEach(() => (ctx = setup()));

  it('creates at version 0, saves versions 1..n and rebuilds state on load', async () => {
    const acc = ctx.repo.create('a1');
    expect(acc.version).toBe(0);
    acc.open('ada');
    acc.credit(500);
    expect(acc.version).toBe(0);
    expect(acc.getUncommittedEvents()).toHaveLength(2);
    await ctx.repo.save(acc);
    expect(acc.version).toBe(2);
    expect(acc.getUncommittedEvents()).toEqual([]);
    const loaded = await ctx.repo.load('a1');
    expect(loaded).toMatchObject({ id: 'a1', version: 2, owner: 'ada', balance: 500 });
    const stored = await ctx.store.readStream('a1');
    expect(stored.map((e) => [e.version, e.type])).toEqual([
      [1, 'AccountOpened'],
      [2, 'AccountCredited'],
    ]);
  });

  it('loads events as instances of their @DomainEvent classes', async () => {
    const acc = ctx.repo.create('a2');
    acc.open('bob');
    await ctx.repo.save(acc);
    const [stored] = await ctx.store.readStream('a2');
    const event = ctx.registry.instantiate(stored.type, stored.data);
    expect(event).toBeInstanceOf(AccountOpened);
    expect(event).toEqual(new AccountOpened('bob'));
  });

  it('throws AggregateNotFoundError from load and returns null from find', async () => {
    await expect(ctx.repo.load('nobody')).rejects.toThrow(AggregateNotFoundError);
    await expect(ctx.repo.load('nobody')).rejects.toThrow(/account "nobody"/);
    expect(await ctx.repo.find('nobody')).toBeNull();
  });

  it('raises one ConcurrencyError when two copies save from the same version; the loser stores nothing', async () => {
    const acc = ctx.repo.create('a3');
    acc.open('c');
    await ctx.repo.save(acc);
    const [x, y] = await Promise.all([ctx.repo.load('a3'), ctx.repo.load('a3')]);
    x.credit(1);
    y.credit(2);
    y.credit(3);
    const results = await Promise.allSettled([ctx.repo.save(x), ctx.repo.save(y)]);
    const rejected = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(rejected).toHaveLength(1);
    expect(rejected[0].reason).toBeInstanceOf(ConcurrencyError);
    expect(rejected[0].reason.message).toMatch(
      /account "a3": expected version 1, but the stored version is 2/,
    );
    expect(await ctx.store.readStream('a3')).toHaveLength(2);
  });

  it('update retries on conflicts: 20 concurrent updates end at the exact version and state', async () => {
    const acc = ctx.repo.create('a4');
    acc.open('d');
    await ctx.repo.save(acc);
    await Promise.all(
      Array.from({ length: 20 }, () => ctx.repo.update('a4', (a) => a.credit(10), { retries: 50 })),
    );
    const loaded = await ctx.repo.load('a4');
    expect(loaded.version).toBe(21);
    expect(loaded.balance).toBe(200);
  });

  it('update gives up after the given retries with the ConcurrencyError', async () => {
    const acc = ctx.repo.create('a5');
    acc.open('e');
    await ctx.repo.save(acc);
    let calls = 0;
    const interfering = ctx.repo.update(
      'a5',
      async (a) => {
        calls++;
        // Another writer commits between this load and save, every time.
        await ctx.store.append('a5', [{ type: 'AccountCredited', data: { cents: 1 } }], {
          expectedVersion: 'any',
          aggregateName: 'account',
        });
        a.credit(1);
      },
      { retries: 2 },
    );
    await expect(interfering).rejects.toThrow(ConcurrencyError);
    expect(calls).toBe(3);
  });

  it('saving with nothing uncommitted is a no-op', async () => {
    const acc = ctx.repo.create('a6');
    await ctx.repo.save(acc);
    expect(await ctx.store.lastPosition()).toBe(0);
  });

  it('propagates domain errors without storing anything', async () => {
    const acc = ctx.repo.create('a7');
    acc.open('f');
    await ctx.repo.save(acc);
    await expect(ctx.repo.update('a7', (a) => a.debit(1))).rejects.toThrow(InsufficientFundsError);
    expect((await ctx.repo.load('a7')).version).toBe(1);
  });

  it('records correlation, causation and user metadata on every event', async () => {
    const acc = ctx.repo.create('a8');
    acc.open('g');
    acc.credit(1);
    await ctx.repo.save(acc, {
      correlationId: 'corr-1',
      causationId: 'cmd-9',
      metadata: { user: 'u1' },
    });
    const events = await ctx.store.readStream('a8');
    for (const e of events)
      expect(e.metadata).toMatchObject({
        correlationId: 'corr-1',
        causationId: 'cmd-9',
        user: 'u1',
      });
  });

  it('upcasts events stored at an older schema version', async () => {
    await ctx.store.append(
      'a9',
      [
        { type: 'AccountOpened', data: { owner: 'h' } },
        { type: 'AccountCredited', data: { amount: 3 } }, // version 1 shape: whole units
        { type: 'AccountCredited', data: { cents: 50 }, metadata: { eventVersion: 2 } },
      ],
      { expectedVersion: 0, aggregateName: 'account' },
    );
    const acc = await ctx.repo.load('a9');
    expect(acc.balance).toBe(350);
    const saved = ctx.repo.create('a10');
    saved.open('i');
    saved.credit(7);
    await ctx.repo.save(saved);
    const [, credited] = await ctx.store.readStream('a10');
    expect(credited.metadata).toMatchObject({ eventVersion: 2 });
  });

  it('fails with UnknownEventTypeError naming the type, aggregate and version', async () => {
    await ctx.store.append('a11', [{ type: 'AccountFrozen', data: {} }], {
      expectedVersion: 0,
      aggregateName: 'account',
    });
    await expect(ctx.repo.load('a11')).rejects.toThrow(UnknownEventTypeError);
    await expect(ctx.repo.load('a11')).rejects.toThrow(
      /"AccountFrozen" \(account "a11" version 1\)/,
    );
  });

  it('rejects empty and over-long ids', () => {
    expect(() => ctx.repo.create('')).toThrow(InvalidArgumentError);
    expect(() => ctx.repo.create('x'.repeat(256))).toThrow(/account id.*256 characters/);
  });

  it('rejects loading an id that belongs to another aggregate', async () => {
    await ctx.store.append('shared', [{ type: 'AccountOpened', data: { owner: 'x' } }], {
      expectedVersion: 0,
      aggregateName: 'customer',
    });
    await expect(ctx.repo.load('shared')).rejects.toThrow(/belongs to a customer/);
  });

  it('snapshots every N events and loads from the snapshot plus later events', async () => {
    const acc = ctx.repo.create('s1');
    acc.open('snap');
    for (let i = 0; i < 6; i++) acc.credit(100);
    await ctx.repo.save(acc);
    const snapshot = await ctx.store.loadSnapshot('s1', 'account');
    expect(snapshot).toMatchObject({
      version: 7,
      schemaVersion: 1,
      state: { owner: 'snap', balance: 600 },
    });
    // Prove the snapshot is used: corrupt the stored state and see it in the loaded aggregate.
    await ctx.store.saveSnapshot({ ...snapshot!, state: { owner: 'snap', balance: 1_000_000 } });
    await ctx.repo.update('s1', (a) => a.credit(1));
    expect((await ctx.repo.load('s1')).balance).toBe(1_000_001);
  });

  it('ignores a snapshot whose schema version differs from the class', async () => {
    const acc = ctx.repo.create('s2');
    acc.open('old');
    acc.credit(5);
    await ctx.repo.save(acc);
    await ctx.store.saveSnapshot({
      aggregateId: 's2',
      aggregateName: 'account',
      version: 2,
      schemaVersion: 0,
      state: { balance: 999 },
    });
    expect((await ctx.repo.load('s2')).balance).toBe(5);
  });
});
