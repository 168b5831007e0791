/**
 * The broker on a 3-master Redis Cluster started for the run (no replicas: on a 2-core machine
 * replicas would only take CPU from the masters) against the same code on one Redis, in the
 * same run: flusher publish, 256 concurrent awaited publishes, and consume + ack + delete with
 * one consumer per stream, all over 6 streams whose keys are spread 2 per master. The cluster
 * column is "library", the single Redis "baseline": the ratio is what the cluster gives on this
 * machine, not a library overhead.
 */
import type { INestApplicationContext } from '@nestjs/common';
import { EventBroker, RedisPools, type FluxModuleOptions } from 'nestjs-flux';
import { clusterSlot } from '../libs/flux/src/broker/cluster/cluster-slot.js';
import {
  alternate,
  BenchReport,
  benchEvent,
  config,
  createFluxApp,
  deleteKeys,
  EVENT_TAGS,
  perSecond,
  randomPrefix,
  redisVersion,
  scaled,
} from './support/index.js';
import { RedisCluster } from './support/redis-cluster.js';

const STREAMS = 6;
const FLUSHED = scaled(120_000, 1200);
const BATCH = 1000;
const CONCURRENT = scaled(30_000, 600);
const IN_FLIGHT = 256;
const CONSUMED = scaled(60_000, 600);

/** Stream names whose keys land 2 per master (by the slot ranges `redis-cli` assigns). */
async function spreadStreams(cluster: RedisCluster, prefix: string): Promise<string[]> {
  const masters = (await cluster.topology()).filter((n) => n.master);
  const perMaster = new Map<number, string[]>();
  for (let i = 0; [...perMaster.values()].flat().length < STREAMS; i++) {
    const name = `events-${i}`;
    const slot = clusterSlot(prefix + name);
    const owner = masters.find((m) => m.slots.some(([a, b]) => slot >= a && slot <= b))!;
    const list = perMaster.get(owner.port) ?? [];
    if (list.length < STREAMS / masters.length) perMaster.set(owner.port, [...list, name]);
  }
  return [...perMaster.values()].flat();
}

async function measure(app: INestApplicationContext, streams: string[], prefix: string) {
  const broker = app.get(EventBroker);
  const client = app.get(RedisPools).get('default');
  // One DEL per key: keys of one DEL must share a slot on a cluster.
  const reset = () => Promise.all(streams.map((s) => client.del(prefix + s)));
  const flush = async () => {
    await reset();
    const flusher = broker.newFlusher();
    const start = performance.now();
    for (let i = 0; i < FLUSHED; i += BATCH) {
      for (let k = i; k < i + BATCH; k++)
        flusher.publish(streams[k % STREAMS], benchEvent(k), EVENT_TAGS);
      await flusher.flush();
    }
    return perSecond(FLUSHED, performance.now() - start);
  };
  const concurrent = async () => {
    await reset();
    let next = 0;
    const lane = async () => {
      while (next < CONCURRENT) {
        const seq = next++;
        await broker.publish(streams[seq % STREAMS], benchEvent(seq), EVENT_TAGS);
      }
    };
    const start = performance.now();
    await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
    return perSecond(CONCURRENT, performance.now() - start);
  };
  const consume = async () => {
    await reset();
    const flusher = broker.newFlusher();
    for (let k = 0; k < CONSUMED; k++)
      flusher.publish(streams[k % STREAMS], benchEvent(k), EVENT_TAGS);
    await flusher.flush();
    const consumers = await Promise.all(
      streams.map((s) => broker.consumerMany(s, { group: 'bench' })),
    );
    let handled = 0;
    const start = performance.now();
    await Promise.all(
      consumers.map(async (c) => {
        for (;;) {
          const n = await c.consume(100, 0, (events) => {
            for (const e of events) e.unserialize();
          });
          if (n === 0) break;
          handled += n;
        }
      }),
    );
    const rate = perSecond(handled, performance.now() - start);
    await Promise.all(consumers.map((c) => c.cleanup()));
    if (handled < CONSUMED) throw new Error(`consumed ${handled} of ${CONSUMED}`);
    return rate;
  };
  return { flush, concurrent, consume, reset };
}

async function main(): Promise<void> {
  const report = new BenchReport(
    'cluster',
    `3-master cluster vs one Redis, ${STREAMS} streams: flush ${FLUSHED} (batches of ${BATCH}), ` +
      `${CONCURRENT} publishes ${IN_FLIGHT} in flight, consume ${CONSUMED}`,
  );
  const cluster = await RedisCluster.start({ replicas: 0 });
  const prefix = randomPrefix('cluster');
  const streams = await spreadStreams(cluster, prefix);
  const app = (redis: FluxModuleOptions['redis']) =>
    createFluxApp({ redis, streams, keyPrefix: prefix });
  const single = await app({ default: config.redisUrl });
  const clustered = await app({ default: { cluster: cluster.urls } });
  try {
    const one = await measure(single, streams, prefix);
    const three = await measure(clustered, streams, prefix);
    for (const [metric, key, unit] of [
      [`flusher publish, batches of ${BATCH}`, 'flush', 'events/s'],
      [`publish, ${IN_FLIGHT} in flight`, 'concurrent', 'events/s'],
      ['consume + ack + delete, 1 consumer per stream', 'consume', 'events/s'],
    ] as const) {
      const samples = await alternate(
        { library: () => three[key](), baseline: () => one[key]() },
        { label: metric },
      );
      report.add({ metric, unit, library: samples.library, baseline: samples.baseline });
    }
    await Promise.all([one.reset(), three.reset()]);
  } finally {
    await single.close();
    await clustered.close();
    await cluster.stop();
    await deleteKeys(prefix);
  }
  report.extra.note =
    'library = 3-master cluster (no replicas), baseline = one Redis; same machine, same run';
  await report.finish({ redis: await redisVersion() });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
