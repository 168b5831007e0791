import type { BrokerRedis } from '../lua/index.js';
import { partitionLeaseKey } from '../partitions/partition-keys.js';
import { leaseHolderOf } from '../consume/lease-key.js';
import { DEFAULT_GROUP } from '../broker.constants.js';
import type { StreamGroupStatistics, StreamStatistics } from './stream-statistics.js';
import { readStreamStatistics } from './stream-statistics.reader.js';
import type { RegisteredStream } from '../registry/stream-registry.js';

/**
 * Statistics of a partitioned stream: each partition read like a stream of its own (with the
 * holder of each group's lease), then summed. Null when no partition exists in Redis yet.
 * @internal
 */
export async function readPartitionedStatistics(
  client: BrokerRedis,
  stream: RegisteredStream,
): Promise<StreamStatistics | null> {
  const keys = stream.partitionKeys!;
  const parts = await Promise.all(
    keys.map((key) => readStreamStatistics(client, { name: stream.name, pool: stream.pool, key })),
  );
  if (parts.every((part) => part === null)) return null;
  const partitions = parts.map((part, partition): StreamStatistics => ({
    ...(part ?? emptyStatistics(stream)),
    partition,
  }));
  await addHolders(client, keys, partitions);
  const groups = sumGroups(partitions);
  return {
    stream: stream.name,
    redisPool: stream.pool,
    len: sum(partitions.map((p) => p.len)),
    oldestEventSeconds: Math.max(...partitions.map((p) => p.oldestEventSeconds)),
    group: groups.find((g) => g.group === DEFAULT_GROUP) ?? groups[0] ?? null,
    groups,
    partitions,
  };
}

function emptyStatistics(stream: RegisteredStream): StreamStatistics {
  const base = { stream: stream.name, redisPool: stream.pool, len: 0, oldestEventSeconds: 0 };
  return { ...base, group: null, groups: [] };
}

/**
 * The holder of every (partition, group) lease. One GET per lease key, in parallel rather than
 * in one pipeline: the keys live in their partitions' slots, and a Redis Cluster pipeline must
 * stay on one node.
 */
async function addHolders(client: BrokerRedis, keys: readonly string[], parts: StreamStatistics[]) {
  await Promise.all(
    parts.flatMap((part) =>
      part.groups.map(async (g) => {
        const holder = await client
          .get(partitionLeaseKey(keys[part.partition!], g.group))
          .catch(() => null);
        g.leaseHolder = holder == null ? null : leaseHolderOf(holder);
      }),
    ),
  );
}

/** Each group's figures summed over the partitions (a group absent from a partition adds 0). */
function sumGroups(parts: StreamStatistics[]): StreamGroupStatistics[] {
  const byName = new Map<string, StreamGroupStatistics[]>();
  for (const part of parts)
    for (const g of part.groups) byName.set(g.group, [...(byName.get(g.group) ?? []), g]);
  const groups = [...byName].map(([group, all]): StreamGroupStatistics => {
    const latest = all.reduce((a, b) =>
      compareIds(a.lastDeliveredId, b.lastDeliveredId) >= 0 ? a : b,
    );
    const oldest = all.reduce((a, b) => (a.lowerDuration >= b.lowerDuration ? a : b));
    const consumers = new Map<string, { name: string; pending: number; idle: number }>();
    for (const c of all.flatMap((g) => g.consumers)) {
      const seen = consumers.get(c.name);
      if (seen) {
        seen.pending += c.pending;
        seen.idle = Math.min(seen.idle, c.idle);
      } else consumers.set(c.name, { ...c });
    }
    // Totals: one holder for the whole stream only when one process holds every partition.
    const holders = new Set(parts.map((p) => p.groups.find((g) => g.group === group)?.leaseHolder));
    return {
      group,
      leaseHolder: holders.size === 1 ? ([...holders][0] ?? null) : null,
      lag: sum(all.map((g) => g.lag)),
      pending: sum(all.map((g) => g.pending)),
      lastDeliveredId: latest.lastDeliveredId,
      lastDeliveredDuration: latest.lastDeliveredDuration,
      lowerId: oldest.lowerId,
      lowerDuration: oldest.lowerDuration,
      consumers: [...consumers.values()].sort((a, b) => (a.name < b.name ? -1 : 1)),
    };
  });
  return groups.sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Orders stream ids `ms-seq` numerically. */
function compareIds(a: string, b: string): number {
  const [ams, aseq] = a.split('-').map(Number);
  const [bms, bseq] = b.split('-').map(Number);
  return ams !== bms ? ams - bms : aseq - bseq;
}
