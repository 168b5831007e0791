import 'reflect-metadata';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { REDIS_URL, waitFor } from '../broker/broker.spec-helpers.js';
import { Aggregate } from '../event-sourcing/aggregate.decorator.js';
import { AggregateRoot } from '../event-sourcing/aggregate-root.js';
import type { AggregateRepository } from '../event-sourcing/aggregate-repository.js';
import { DomainEvent } from '../event-sourcing/domain-event.decorator.js';
import { EventHandler } from '../event-sourcing/event-handler.decorator.js';
import {
  dropTestSchema,
  randomSchema,
  TEST_POSTGRES_URL,
} from '../event-store/postgres/postgres-test-support.js';
import { FluxModule } from '../module/flux.module.js';
import type { FluxModuleOptions } from '../module/flux-module.options.js';
import { getAggregateRepositoryToken } from '../module/inject-aggregate-repository.decorator.js';
import { RelayService } from './relay.service.js';

@DomainEvent('ServiceNoted')
class Noted {
  constructor(readonly n: number) {}
}

@Aggregate({ name: 'parcel', stream: 'svc-parcels' })
class Parcel extends AggregateRoot {
  note(n: number) {
    this.apply(new Noted(n));
  }
  @EventHandler(Noted) onNoted() {}
}

@Aggregate({ name: 'crate', stream: 'svc-crates' })
class Crate extends AggregateRoot {
  note(n: number) {
    this.apply(new Noted(n));
  }
  @EventHandler(Noted) onNoted() {}
}

@Aggregate({ name: 'memo', stream: 'svc-memos' })
class Memo extends AggregateRoot {
  note(n: number) {
    this.apply(new Noted(n));
  }
  @EventHandler(Noted) onNoted() {}
}

/** RelayService wiring: one relay per pool, its options, keys, statuses, reset and shutdown. */
const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

class Recorded implements LoggerService {
  readonly lines: string[] = [];
  log(m: unknown) {
    this.lines.push(`log ${String(m)}`);
  }
  warn(m: unknown, context?: unknown) {
    this.lines.push(`warn [${String(context)}] ${String(m)}`);
  }
  error(m: unknown) {
    this.lines.push(`error ${String(m)}`);
  }
}

function adminFor(prefix: string, db = 0): Redis {
  const admin = new Redis(`${REDIS_URL}/${db}`);
  closers.push(async () => {
    const keys = [...(await admin.keys(`${prefix}*`)), ...(await admin.keys(`{${prefix}*`))];
    if (keys.length) await admin.del(...keys);
    await admin.quit();
  });
  return admin;
}

async function start(
  options: FluxModuleOptions,
  logger: LoggerService | false = false,
  aggregates = [Parcel, Crate, Memo],
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [FluxModule.forRoot(options), FluxModule.forFeature({ aggregates })],
  }).compile();
  const nest = moduleRef.createNestApplication({ logger });
  await nest.init();
  return nest;
}

async function save(
  nest: INestApplication,
  type: typeof Parcel | typeof Crate | typeof Memo,
  id: string,
) {
  const repo = nest.get<AggregateRepository<Parcel>>(getAggregateRepositoryToken(type));
  const aggregate = repo.create(id);
  aggregate.note(1);
  await repo.save(aggregate);
}

describe('RelayService', () => {
  it('runs one relay per pool, named after its aggregates, with the options given', async () => {
    const prefix = `flux-test:${randomBytes(6).toString('hex')}:`;
    const schema = randomSchema();
    closers.push(() => dropTestSchema(schema));
    const admin = adminFor(prefix);
    const second = adminFor(prefix, 1);
    const nest = await start({
      eventStore: { type: 'postgres', url: TEST_POSTGRES_URL, schema, synchronize: true },
      redis: { default: REDIS_URL, second: `${REDIS_URL}/1` },
      keyPrefix: prefix,
      streams: ['svc-parcels', 'svc-crates', { name: 'svc-memos', pool: 'second' }],
      relay: { pollInterval: 20, lockTtl: 30_000 },
    });
    let open = true;
    closers.push(async () => open && (await nest.close()));
    const relay = nest.get(RelayService);
    const keys = await relay.keys();
    expect(Object.keys(keys).sort()).toEqual(['default', 'second']);
    expect(keys.default.checkpoint).toMatch(
      new RegExp(`^${prefix}flux:relay:\\{.+\\}:crate\\+parcel:checkpoint$`),
    );
    expect(keys.second.checkpoint).toMatch(/\}:memo:checkpoint$/);

    await save(nest, Parcel, 'p-1');
    await save(nest, Crate, 'c-1');
    await save(nest, Memo, 'm-1');
    await waitFor(async () => (await admin.xlen(`${prefix}svc-parcels`)) === 1, 20_000);
    await waitFor(async () => (await admin.xlen(`${prefix}svc-crates`)) === 1, 20_000);
    await waitFor(async () => (await second.xlen(`${prefix}svc-memos`)) === 1, 20_000);
    await waitFor(() => relay.statuses().default.checkpoint === 3, 20_000);
    await waitFor(() => relay.statuses().second.checkpoint === 3, 20_000);
    // A database outlives the process: its checkpoint does not expire.
    expect(await admin.pttl(keys.default.checkpoint)).toBe(-1);
    const lockTtl = await admin.pttl(keys.default.lock);
    expect(lockTtl).toBeGreaterThan(15_000);
    expect(lockTtl).toBeLessThanOrEqual(30_000);
    // Statuses are copies.
    const statuses = relay.statuses();
    statuses.default.published = -1;
    expect(relay.statuses().default.published).toBe(2);
    expect(relay.statuses().second.published).toBe(1);

    // Reset one pool's relay: only its stream gets the log again.
    await relay.resetCheckpoint({ pool: 'second' });
    await waitFor(async () => (await second.xlen(`${prefix}svc-memos`)) === 2, 20_000);
    expect(await admin.xlen(`${prefix}svc-parcels`)).toBe(1);
    // From position 2 on, the default pool's relay has only the memo event, not its own.
    await relay.resetCheckpoint({ position: 2 });
    await waitFor(
      async () => (await admin.hget(keys.default.checkpoint, 'position')) === '3',
      20_000,
    );
    expect(await admin.xlen(`${prefix}svc-parcels`)).toBe(1);
    expect(await admin.xlen(`${prefix}svc-crates`)).toBe(1);

    // Shutdown stops the relays and releases their locks for the next instance.
    open = false;
    await nest.close();
    expect(await admin.exists(keys.default.lock)).toBe(0);
    expect(await second.exists(keys.second.lock)).toBe(0);
  });

  it('names the relay as configured and takes its batch size', async () => {
    const prefix = `flux-test:${randomBytes(6).toString('hex')}:`;
    const admin = adminFor(prefix);
    const nest = await start({
      redis: { default: REDIS_URL },
      keyPrefix: prefix,
      streams: ['svc-parcels', 'svc-crates', 'svc-memos'],
      relay: { pollInterval: 20, name: 'shipping', batchSize: 1 },
    });
    closers.push(() => nest.close());
    const relay = nest.get(RelayService);
    const { default: keys } = await relay.keys();
    expect(keys.checkpoint).toMatch(/\}:shipping:checkpoint$/);
    await waitFor(() => relay.statuses().default.checkpoint === 0, 20_000);
    for (const id of ['p-1', 'p-2', 'p-3', 'p-4']) await save(nest, Parcel, id);
    await waitFor(() => relay.statuses().default.checkpoint === 4, 20_000);
    // Relayed again from the start, with the whole log in the store: batches of one.
    await relay.resetCheckpoint({ position: 0 });
    await waitFor(async () => (await admin.xlen(`${prefix}svc-parcels`)) === 8, 20_000);
    await waitFor(() => relay.statuses().default.checkpoint === 4, 20_000);
    // One event per batch: a checkpoint per event.
    const history = await admin.lrange(keys.history, 0, -1);
    expect(history.map((entry) => Number(entry.split(':')[0]))).toEqual([4, 3, 2, 1]);
  });

  it('runs no relay when disabled', async () => {
    const prefix = `flux-test:${randomBytes(6).toString('hex')}:`;
    const admin = adminFor(prefix);
    const nest = await start({
      redis: { default: REDIS_URL },
      keyPrefix: prefix,
      streams: ['svc-parcels', 'svc-crates', 'svc-memos'],
      relay: { enabled: false, pollInterval: 20 },
    });
    closers.push(() => nest.close());
    const relay = nest.get(RelayService);
    await save(nest, Parcel, 'p-1');
    expect(relay.statuses()).toEqual({});
    expect(await relay.keys()).toEqual({});
    await expect(relay.resetCheckpoint()).rejects.toThrow(/no relay runs on pool "undefined"/);
    expect(await admin.keys(`${prefix}*`)).toEqual([]);
  });

  it('warns that nothing is relayed when no Redis is configured', async () => {
    const logger = new Recorded();
    const nest = await start({}, logger);
    closers.push(() => nest.close());
    expect(nest.get(RelayService).statuses()).toEqual({});
    expect(logger.lines).toContain(
      'warn [FluxRelay] no Redis configured: events of parcel, crate, memo are not relayed',
    );
  });

  it('has nothing to say without aggregates relayed to a stream', async () => {
    const logger = new Recorded();
    const nest = await start({}, logger, []);
    closers.push(() => nest.close());
    expect(nest.get(RelayService).statuses()).toEqual({});
    expect(logger.lines.filter((line) => line.includes('[FluxRelay]'))).toEqual([]);
  });

  it('keeps its keys unprefixed without a keyPrefix', async () => {
    const nest = await start({
      redis: { default: REDIS_URL },
      streams: ['svc-parcels', 'svc-crates', 'svc-memos'],
      relay: { pollInterval: 20 },
    });
    const relay = nest.get(RelayService);
    const keys = await relay.keys();
    closers.push(async () => {
      await nest.close();
      const admin = new Redis(REDIS_URL);
      await admin.del(...Object.values(keys).flatMap((k) => [k.lock, k.checkpoint, k.history]));
      await admin.quit();
    });
    expect(keys.default.lock).toMatch(/^flux:relay:\{[^}]+\}:crate\+memo\+parcel:lock$/);
  });
});
