import { randomBytes } from 'node:crypto';
import { StreamRegistry } from '../../libs/flux/src/broker/registry/stream-registry.js';
import { Cluster } from 'ioredis';
import { EventBroker, RedisPools, type StreamRegistration } from '../../libs/flux/src/index.js';
import type { RedisCluster } from '../support/redis-cluster.js';

export interface ClusterTestBroker {
  broker: EventBroker;
  pools: RedisPools;
  registry: StreamRegistry;
  prefix: string;
  /** A plain cluster client for assertions. */
  admin: Cluster;
  key(stream: string): string;
  close(): Promise<void>;
}

/** A broker on `cluster` under a random key prefix; `close()` deletes every key of the test. */
export function createClusterBroker(
  cluster: RedisCluster,
  streams: Array<string | StreamRegistration>,
): ClusterTestBroker {
  const prefix = `flux-test:${randomBytes(6).toString('hex')}:`;
  const pools = new RedisPools({ default: { cluster: cluster.urls } });
  const registry = new StreamRegistry(pools, prefix);
  for (const stream of streams) registry.register(stream);
  const broker = new EventBroker(registry, pools);
  const admin = new Cluster(cluster.urls);
  admin.on('error', () => undefined);
  return {
    broker,
    pools,
    registry,
    prefix,
    admin,
    key: (stream) => prefix + stream,
    async close() {
      await broker.close();
      await deleteClusterKeys(admin, prefix);
      admin.disconnect();
    },
  };
}

/** Deletes every key containing `fragment` on every master of the cluster. */
export async function deleteClusterKeys(admin: Cluster, fragment: string): Promise<void> {
  for (const node of admin.nodes('master')) {
    const keys = await node.keys(`*${fragment}*`).catch(() => [] as string[]);
    for (const key of keys) await node.del(key).catch(() => undefined);
  }
}

/**
 * `count` stream names whose keys (under `prefix`) land on at least `masters` different
 * masters, so a test exercises every node rather than whatever slot one name hashes to.
 */
export async function streamsOverMasters(
  cluster: RedisCluster,
  prefix: string,
  count: number,
): Promise<string[]> {
  const names: string[] = [];
  const seen = new Set<number>();
  for (let i = 0; names.length < count; i++) {
    const name = `orders-${i}`;
    const master = await cluster.masterOf(prefix + name);
    if (names.length < 3 && seen.has(master.port) && i < 200) continue;
    seen.add(master.port);
    names.push(name);
  }
  return names;
}
