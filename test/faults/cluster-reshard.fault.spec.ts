import 'reflect-metadata';
import { Test, type TestingModule } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBroker, StreamConsumer, type StreamEvent } from 'nestjs-flux';
import { StreamRegistry } from '../../libs/flux/src/broker/registry/stream-registry.js';
import { FluxTestingModule } from 'nestjs-flux/testing';
import { clusterSlot } from '../../libs/flux/src/broker/cluster/cluster-slot.js';
import { RedisCluster } from '../support/redis-cluster.js';
import { CapturingLogger } from './support/logger.js';
import { Tally } from './support/tally.js';
import { waitUntil } from './support/wait.js';

/**
 * Slots move between masters (`redis-cli --cluster reshard`, there and back) while a publisher
 * (awaited publishes and a flusher) and workers run: the client meets MOVED and ASK replies
 * (keys moved while their slot migrates). Both streams carry a hash tag whose slot is among the
 * first slots of the master that serves slot 0, which are the slots a reshard from it moves.
 * Nothing may be lost, no publish may fail, no handler may see an error.
 */
const MOVED_SLOTS = 300;
const [SINGLE, MANY] = taggedNames(2, (slot) => slot < MOVED_SLOTS);
const tally = new Tally('cluster reshard under load');
let handlerErrors = 0;

@StreamConsumer(SINGLE, { group: 'reshard', block: 200, retryDelay: 50, maxRetryDelay: 500 })
class SingleWorker {
  async handle(events: StreamEvent[]) {
    for (const e of events) see(e);
  }
}

@StreamConsumer(MANY, {
  group: 'reshard',
  mode: 'many',
  consumers: 2,
  block: 200,
  claimIdle: 1_000,
  retryDelay: 50,
  maxRetryDelay: 500,
})
class ManyWorker {
  async handle(events: StreamEvent[]) {
    for (const e of events) see(e);
  }
}

function see(e: StreamEvent): void {
  try {
    tally.see(e.unserialize<{ uid: string }>().uid);
  } catch {
    handlerErrors++;
  }
}

describe('fault: slots resharded under publishers and workers (MOVED / ASK)', () => {
  let cluster: RedisCluster;
  let app: TestingModule;
  const logger = new CapturingLogger();

  beforeAll(async () => {
    cluster = await RedisCluster.start({ replicas: 0 });
    app = await Test.createTestingModule({
      imports: [
        FluxTestingModule.forRoot({
          redis: { default: { cluster: cluster.urls } },
          streams: [SINGLE, MANY],
        }),
      ],
      providers: [SingleWorker, ManyWorker],
    }).compile();
    app.useLogger(logger);
    await app.init();
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await cluster?.stop();
  });

  it('loses nothing and surfaces no error while the streams move twice', async () => {
    const broker = app.get(EventBroker);
    const prefix = app.get(StreamRegistry).keyPrefix;
    const source = await cluster.masterOf(prefix + SINGLE);
    expect(source.slots[0][0]).toBe(0);
    const target = (await cluster.topology()).find((n) => n.master && n.port !== source.port)!;

    let publishing = true;
    let publishErrors = 0;
    let n = 0;
    const next = () => `u-${n++}`;
    const awaited = (async () => {
      while (publishing) {
        const uid = next();
        await broker.publish(n % 2 ? SINGLE : MANY, { uid }).then(
          () => tally.send(uid),
          () => publishErrors++,
        );
      }
    })();
    const flushed = (async () => {
      const flusher = broker.newFlusher();
      while (publishing) {
        const uids = Array.from({ length: 50 }, next);
        for (const uid of uids) flusher.publish(uid.endsWith('1') ? SINGLE : MANY, { uid });
        await flusher.flush().then(
          () => uids.forEach((uid) => tally.send(uid)),
          () => {
            publishErrors++;
            flusher.clear();
          },
        );
      }
    })();

    await waitUntil('load under way', () => tally.processed >= 500, 20_000);
    await cluster.reshard(source.port, target.port, MOVED_SLOTS);
    expect((await cluster.masterOf(prefix + SINGLE)).port).toBe(target.port);
    await waitUntil(
      'load after the first move',
      () => tally.processed >= tally.sent.size / 2,
      20_000,
    );
    await cluster.reshard(target.port, source.port, MOVED_SLOTS);
    expect((await cluster.masterOf(prefix + MANY)).port).toBe(source.port);
    const sentBeforeStop = tally.sent.size;
    await waitUntil(
      'load after the move back',
      () => tally.sent.size >= sentBeforeStop + 500,
      20_000,
    );
    publishing = false;
    await Promise.all([awaited, flushed]);

    await waitUntil(
      'every acknowledged publish handled',
      () => tally.complete(),
      30_000,
      () => `lost ${tally.lost}`,
    );
    const workerErrors = logger.lines.filter((l) => l.level === 'error' || l.level === 'warn');
    tally.report({ publishErrors, handlerErrors, workerLogErrors: workerErrors.length });
    expect(publishErrors).toBe(0);
    expect(handlerErrors).toBe(0);
    expect(workerErrors.map((l) => l.text)).toEqual([]);
    expect(tally.lost).toBe(0);
  });
});

/** `count` stream names with a hash tag whose slot satisfies `wanted`. */
function taggedNames(count: number, wanted: (slot: number) => boolean): string[] {
  const names: string[] = [];
  for (let i = 0; names.length < count; i++) {
    if (wanted(clusterSlot(`reshard-${i}`))) names.push(`{reshard-${i}}stream`);
  }
  return names;
}
