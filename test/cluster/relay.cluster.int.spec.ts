import 'reflect-metadata';
import { StreamRegistry } from '../../libs/flux/src/broker/registry/stream-registry.js';
import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Aggregate,
  AggregateRoot,
  type AggregateRepository,
  DomainEvent,
  EventHandler,
  FluxModule,
  InjectAggregateRepository,
} from '../../libs/flux/src/index.js';
import { FluxTestingModule } from '../../libs/flux/src/testing/index.js';
import { clusterSlot } from '../../libs/flux/src/broker/cluster/cluster-slot.js';
import { partitionOf } from '../../libs/flux/src/broker/partitions/partition-hash.js';
import { RelayService } from '../../libs/flux/src/relay/relay.service.js';
import { RedisCluster } from '../support/redis-cluster.js';

@DomainEvent('ClusterRelayNoted')
class Noted {
  constructor(readonly n: number) {}
}

@Aggregate({ name: 'cluster-note', stream: 'cl-notes' })
class Note extends AggregateRoot {
  note(n: number) {
    this.apply(new Noted(n));
  }
  @EventHandler(Noted) onNoted() {}
}

@Aggregate({ name: 'cluster-memo', stream: 'cl-memos' })
class Memo extends AggregateRoot {
  note(n: number) {
    this.apply(new Noted(n));
  }
  @EventHandler(Noted) onNoted() {}
}

@Aggregate({ name: 'cluster-part', stream: 'cl-parts' })
class Part extends AggregateRoot {
  note(n: number) {
    this.apply(new Noted(n));
  }
  @EventHandler(Noted) onNoted() {}
}

@Injectable()
class Repos {
  constructor(
    @InjectAggregateRepository(Note) readonly notes: AggregateRepository<Note>,
    @InjectAggregateRepository(Memo) readonly memos: AggregateRepository<Memo>,
    @InjectAggregateRepository(Part) readonly parts: AggregateRepository<Part>,
  ) {}
}

const PARTITIONS = 6;

/** The store → stream relay on a cluster: per-stream checkpoints in the streams' own slots. */
describe('Relay on a Redis Cluster', () => {
  let cluster: RedisCluster;
  let app: TestingModule;
  let admin: Cluster;

  beforeAll(async () => {
    cluster = await RedisCluster.start({ replicas: 0 });
    app = await Test.createTestingModule({
      imports: [
        FluxTestingModule.forRoot({
          redis: { default: { cluster: cluster.urls } },
          streams: ['cl-notes', 'cl-memos', { name: 'cl-parts', partitions: PARTITIONS }],
          relay: { pollInterval: 50 },
        }),
        FluxModule.forFeature({ aggregates: [Note, Memo, Part] }),
      ],
      providers: [Repos],
    }).compile();
    app.useLogger(false);
    await app.init();
    admin = new Cluster(cluster.urls);
  }, 60_000);

  afterAll(async () => {
    admin?.disconnect();
    await app?.close();
    await cluster?.stop();
  });

  const ns = (entries: [string, string[]][]) =>
    entries.map(([, fields]) => Number(fields[fields.indexOf('position') + 1]));

  /** The per-stream checkpoint key (store-bound) and its `{ position, event_id }`. */
  async function checkpointOf(streamKey: string) {
    const relay = app.get(RelayService);
    const { checkpoint } = (await relay.keys()).default;
    const { storeId } = relay.statuses().default;
    // `<prefix>flux:relay:{<storeId>}:<name>:checkpoint`
    const name = checkpoint.slice(checkpoint.indexOf('}:') + 2, -':checkpoint'.length);
    const key = `{${streamKey}}:flux-relay:${storeId}:${name}:checkpoint`;
    const [position, eventId] = await admin.hmget(key, 'position', 'event_id');
    return { key, position: Number(position), eventId };
  }

  let saved = 0;
  async function save(repo: AggregateRepository<Note | Memo | Part>, id: string) {
    const agg = repo.create(id);
    agg.note(++saved);
    await repo.save(agg);
  }

  it('relays in order to streams in different slots, and republishes a tail a failover rolled back', async () => {
    const { notes, memos } = app.get(Repos);
    const prefix = app.get(StreamRegistry).keyPrefix;
    const notesKey = `${prefix}cl-notes`;
    const memosKey = `${prefix}cl-memos`;
    for (let i = 1; i <= 10; i++) await save(i % 2 ? notes : memos, `a${i}`);
    await expect.poll(() => admin.xlen(notesKey), { timeout: 20_000 }).toBe(5);
    await expect.poll(() => admin.xlen(memosKey), { timeout: 20_000 }).toBe(5);
    expect(ns(await admin.xrange(notesKey, '-', '+'))).toEqual([1, 3, 5, 7, 9]);
    expect(ns(await admin.xrange(memosKey, '-', '+'))).toEqual([2, 4, 6, 8, 10]);

    const notesCheckpoint = await checkpointOf(notesKey);
    expect(notesCheckpoint.key).toContain(app.get(RelayService).statuses().default.storeId);
    expect(clusterSlot(notesCheckpoint.key)).toBe(clusterSlot(notesKey));
    await expect.poll(async () => (await checkpointOf(notesKey)).position).toBe(10);
    await expect.poll(async () => (await checkpointOf(memosKey)).position).toBe(10);
    const first = await checkpointOf(memosKey);

    // What a failover of the memos' master does when its last writes had not replicated: the
    // stream loses its tail and the checkpoint, written by the same script, rolls back with it.
    await admin.del(memosKey);
    await admin.del(first.key);
    await expect
      .poll(async () => ns(await admin.xrange(memosKey, '-', '+')), { timeout: 20_000 })
      .toEqual([2, 4, 6, 8, 10]);
    // The other stream's checkpoint was not behind: nothing republished there.
    expect(ns(await admin.xrange(notesKey, '-', '+'))).toEqual([1, 3, 5, 7, 9]);
  });

  it('routes a 6-partition stream to partitions spread over the masters, each with its checkpoint', async () => {
    const { parts } = app.get(Repos);
    const prefix = app.get(StreamRegistry).keyPrefix;
    const keys = Array.from({ length: PARTITIONS }, (_, p) => `${prefix}cl-parts:p${p}`);
    const masters = new Set(
      await Promise.all(keys.map(async (k) => (await cluster.masterOf(k)).port)),
    );
    expect(masters.size).toBeGreaterThanOrEqual(2);
    const ids = Array.from({ length: 18 }, (_, i) => `part-${i}`);
    const before = saved;
    for (const id of ids) await save(parts, id);
    const lens = () => Promise.all(keys.map((k) => admin.xlen(k)));
    await expect
      .poll(async () => (await lens()).reduce((a, b) => a + b), { timeout: 20_000 })
      .toBe(18);
    for (const [p, key] of keys.entries()) {
      const expected = ids.filter((id) => partitionOf(id, PARTITIONS) === p).length;
      expect(await admin.xlen(key)).toBe(expected);
      // Every partition's checkpoint moves, with or without events of its own.
      await expect
        .poll(async () => (await checkpointOf(key)).position, { timeout: 20_000 })
        .toBe(saved);
    }
    expect(saved - before).toBe(18);

    // A failover rolling back one partition's slot: its stream and checkpoint, together.
    const p = partitionOf(ids[0], PARTITIONS);
    const want = ns(await admin.xrange(keys[p], '-', '+'));
    await admin.del(keys[p]);
    await admin.del((await checkpointOf(keys[p])).key);
    await expect
      .poll(async () => ns(await admin.xrange(keys[p], '-', '+')), { timeout: 20_000 })
      .toEqual(want);
  });

  it('goes back to where the store still agrees when a stream checkpoint names an event the store no longer holds', async () => {
    const { memos } = app.get(Repos);
    const prefix = app.get(StreamRegistry).keyPrefix;
    const memosKey = `${prefix}cl-memos`;
    await save(memos, 'm-late');
    const last = saved;
    await expect
      .poll(async () => (await checkpointOf(memosKey)).position, { timeout: 20_000 })
      .toBe(last);
    const before = ns(await admin.xrange(memosKey, '-', '+'));
    // The store no longer holds this event there (as after a restore from a backup).
    const { key } = await checkpointOf(memosKey);
    await admin.hset(key, 'position', String(last - 1), 'event_id', 'not-in-the-store');
    // Relayed again after the newest point of the history the store agrees with: the tail
    // republished (at least once), and the checkpoint back on the store's event.
    await expect
      .poll(async () => (await admin.xlen(memosKey)) > before.length, { timeout: 20_000 })
      .toBe(true);
    await expect
      .poll(async () => checkpointOf(memosKey), { timeout: 20_000 })
      .toMatchObject({ position: last });
    expect((await checkpointOf(memosKey)).eventId).not.toBe('not-in-the-store');
    expect(ns(await admin.xrange(memosKey, '-', '+')).at(-1)).toBe(last);
  });
});
