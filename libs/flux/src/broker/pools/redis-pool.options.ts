import type { ClusterNode, ClusterOptions, RedisOptions } from 'ioredis';

/**
 * A pool on a Redis Cluster: the seed nodes (`redis://host:port` URLs, `host:port` strings or
 * `{ host, port }`) and ioredis `ClusterOptions`. Credentials for every node go in
 * `options.redisOptions` (ioredis passes them to each node it discovers).
 */
export interface ClusterPoolConfig {
  cluster: ClusterNode[];
  options?: ClusterOptions;
}

/** One pool: a `redis://` URL, ioredis options, or a cluster. */
export type RedisPoolConfig = string | RedisOptions | ClusterPoolConfig;

/**
 * Pool name → its configuration, as in `FluxModuleOptions.redis`.
 * @internal
 */
export type RedisPoolsConfig = Record<string, RedisPoolConfig>;

/**
 * Whether a pool configuration names a cluster.
 * @internal
 */
export function isClusterConfig(config: RedisPoolConfig | undefined): config is ClusterPoolConfig {
  return (
    typeof config === 'object' &&
    config !== null &&
    Array.isArray((config as ClusterPoolConfig).cluster)
  );
}
