import type { Cluster, Redis } from 'ioredis';
import { clusterSlot } from '../cluster/cluster-slot.js';
import { ReplicationTimeoutError } from '../errors/replication-timeout.error.js';
import type { RegisteredStream } from '../registry/stream-registry.js';

export type { DurableOption } from '../registry/stream-registration.js';

/** @internal */
export const DEFAULT_DURABLE_TIMEOUT = 1_000;

/**
 * Waits until `durable.replicas` replicas acknowledged every write made so far on the connection
 * that served `stream.key` (`WAIT`), and throws `ReplicationTimeoutError` naming `ids` when
 * fewer did in time. On a cluster, WAIT goes to the master of the key's slot: WAIT counts the
 * replicas of the node it runs on, for the writes of that very connection.
 * @internal
 */
export async function waitForReplicas(
  client: Redis | Cluster,
  stream: RegisteredStream,
  ids: string[],
  /** The key written (a partition's on a partitioned stream): WAIT goes to its master. */
  key = stream.key,
): Promise<void> {
  const durable = stream.durable;
  if (!durable || ids.length === 0) return;
  const timeoutMs = durable.timeoutMs ?? DEFAULT_DURABLE_TIMEOUT;
  const acknowledged =
    'isCluster' in client && client.isCluster
      ? await waitOnMaster(client as Cluster, key, durable.replicas, timeoutMs)
      : Number(await client.call('wait', durable.replicas, timeoutMs));
  if (acknowledged < durable.replicas) {
    throw new ReplicationTimeoutError(stream.name, ids, durable.replicas, acknowledged, timeoutMs);
  }
}

/**
 * WAITs for the replicas of each durable stream of one sent pipeline: `indices` are the
 * pipeline's events, `streams` and `ids` the flusher's per-event arrays.
 * @internal
 */
export async function waitForBatch(
  client: Redis | Cluster,
  durable: Iterable<RegisteredStream>,
  indices: number[],
  streams: RegisteredStream[],
  ids: (string | undefined)[],
  keys: string[],
): Promise<void> {
  for (const stream of durable) {
    const own = indices.filter((i) => streams[i] === stream);
    // One pipeline stays on one node (a cluster batch is one slot), so any of its keys finds it.
    await waitForReplicas(
      client,
      stream,
      own.map((i) => ids[i]!),
      keys[own[0]],
    );
  }
}

/** WAIT on the connection the cluster client uses for the master serving `key`. */
async function waitOnMaster(cluster: Cluster, key: string, replicas: number, timeoutMs: number) {
  const address = cluster.slots[clusterSlot(key)]?.[0];
  const node = cluster
    .nodes('master')
    .find((n) => `${n.options.host}:${n.options.port}` === address);
  if (node) return Number(await node.call('wait', replicas, timeoutMs));
  // Slot map refreshing: a pipeline is routed by its key, so the WAIT lands on the key's master.
  const replies = await cluster.pipeline().exists(key).call('wait', replicas, timeoutMs).exec();
  const [error, count] = replies?.[1] ?? [new Error('no reply to WAIT'), 0];
  if (error) throw error;
  return Number(count);
}
