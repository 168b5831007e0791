import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { partitionOf } from '../../libs/flux/src/broker/partitions/partition-hash.js';
import { ensureBuiltLibrary } from '../faults/support/built-library.js';
import { waitUntil } from '../faults/support/wait.js';
import {
  orderProblems,
  PartitionWorkerProcess,
  type PartitionWorkerEnv,
} from '../partitions/partition-workers.js';
import { RedisCluster } from '../support/redis-cluster.js';
import { createClusterBroker, type ClusterTestBroker } from './cluster-broker.js';

/**
 * Single-mode workers across processes on a Redis Cluster: a partitioned stream whose
 * partitions spread over the masters, read one reader per partition by two applications; and
 * an unpartitioned stream whose lease one application holds while the other stands by. Leases,
 * fenced reads (WATCH + MULTI/EXEC on the lease's node) and statistics all run on the cluster.
 */
const PARTITIONS = 6;
// Generous: on a loaded 2-core machine a hung blocking read is abandoned and retried with backoff.
const WAIT = 45_000;

describe('Single-mode workers and partitioned streams on a Redis Cluster', () => {
  let cluster: RedisCluster;
  let tb: ClusterTestBroker | undefined;
  const processes: PartitionWorkerProcess[] = [];

  beforeAll(async () => {
    ensureBuiltLibrary();
    cluster = await RedisCluster.start({ replicas: 0 });
  }, 60_000);

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.kill()));
    await tb?.close();
    tb = undefined;
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  function spawn(env: PartitionWorkerEnv): PartitionWorkerProcess {
    const worker = new PartitionWorkerProcess(env);
    processes.push(worker);
    return worker;
  }

  const keysOf = (n: number) => Array.from({ length: n }, (_, i) => `order-${i}`);

  async function publish(stream: string, keys: string[], from: number, to: number) {
    const flusher = tb!.broker.newFlusher();
    for (let seq = from; seq < to; seq++) {
      for (const key of keys) flusher.publish(stream, { key, seq }, { aggregate_id: key });
      if (flusher.size >= 100) await flusher.flush();
    }
    await flusher.flush();
  }

  const handled = () => tb!.admin.lrange(`${tb!.prefix}handled`, 0, -1);

  async function waitHandled(keys: string[], perKey: number) {
    let problems: string[] = [];
    await waitUntil(
      `${keys.length * perKey} messages handled in order`,
      async () => (problems = orderProblems(await handled(), keys, perKey)).length === 0,
      WAIT,
      () => problems.slice(0, 5).join('; '),
    );
  }

  it('spreads a 6-partition stream over the masters, two applications read it in order, statistics sum the partitions', async () => {
    tb = createClusterBroker(cluster, [{ name: 'cl-parts', partitions: PARTITIONS }]);
    const partitionKeys = Array.from(
      { length: PARTITIONS },
      (_, p) => `${tb!.key('cl-parts')}:p${p}`,
    );
    const masters = new Set(
      await Promise.all(partitionKeys.map(async (k) => (await cluster.masterOf(k)).port)),
    );
    expect(masters.size).toBeGreaterThanOrEqual(2);

    const env: PartitionWorkerEnv = {
      redisUrl: '',
      clusterUrls: cluster.urls,
      prefix: tb.prefix,
      stream: 'cl-parts',
      group: 'ordered',
      partitions: PARTITIONS,
      leaseTtl: 2_000,
    };
    const a = spawn(env);
    const b = spawn(env);
    await waitUntil(
      'the partitions spread 3/3 over the two applications',
      () =>
        a.held.length === 3 &&
        b.held.length === 3 &&
        new Set([...a.held, ...b.held]).size === PARTITIONS,
      WAIT,
      () => `a [${a.held}] b [${b.held}] ${a.output}${b.output}`,
    );

    const keys = keysOf(24);
    await publish('cl-parts', keys, 0, 5);
    // Routing: each partition holds exactly the keys that hash to it.
    await waitHandled(keys, 5);
    // Routing: each message was read from the partition its key hashes to.
    const log = await handled();
    for (const line of log) {
      const [key, , , partition] = line.split('|');
      expect(Number(partition)).toBe(partitionOf(key, PARTITIONS));
    }
    const pids = new Set(log.map((line) => line.split('|')[2]));
    expect(pids).toEqual(new Set([String(a.pid), String(b.pid)]));

    // Statistics: one entry per partition (on its master), the totals their sums.
    const [stats] = await tb.broker.getStreamsStatistics();
    expect(stats.partitions).toHaveLength(PARTITIONS);
    expect(stats.len).toBe(stats.partitions!.reduce((sum, p) => sum + p.len, 0));
    expect(stats.groups.find((g) => g.group === 'ordered')).toMatchObject({ pending: 0, lag: 0 });
    const holders = stats.partitions!.flatMap((p) => p.groups.map((g) => g.leaseHolder));
    expect(holders.filter((h) => h !== null)).toHaveLength(PARTITIONS);

    // One application leaves gracefully: the other takes every partition, order kept.
    await a.stop();
    await waitUntil(
      'b holds all 6',
      () => b.held.length === PARTITIONS,
      WAIT,
      () => `b [${b.held}]`,
    );
    await publish('cl-parts', keys, 5, 10);
    await waitHandled(keys, 10);
  }, 180_000);

  it('one application holds an unpartitioned stream, the other stands by, a graceful handover keeps order', async () => {
    tb = createClusterBroker(cluster, ['cl-single']);
    const env: PartitionWorkerEnv = {
      redisUrl: '',
      clusterUrls: cluster.urls,
      prefix: tb.prefix,
      stream: 'cl-single',
      group: 'ordered',
      partitions: 0,
      leaseTtl: 2_000,
    };
    const a = spawn(env);
    const b = spawn(env);
    const keys = keysOf(5);
    await publish('cl-single', keys, 0, 20);
    await waitHandled(keys, 20);
    const first = new Set((await handled()).map((line) => line.split('|')[2]));
    expect(first.size).toBe(1); // the stand-by read nothing
    const [holderPid] = [...first];
    const [holder, standBy] = holderPid === String(a.pid) ? [a, b] : [b, a];
    expect(holderPid).toBe(String(holder.pid));

    await holder.stop();
    await publish('cl-single', keys, 20, 40);
    await waitHandled(keys, 40);
    const log = await handled();
    const after = log.slice(100).map((line) => line.split('|')[2]);
    expect(new Set(after)).toEqual(new Set([String(standBy.pid)]));
    // In order across the handover: each key's sequence never goes back.
    expect(orderProblems(log, keys, 40)).toEqual([]);
  }, 180_000);
});
