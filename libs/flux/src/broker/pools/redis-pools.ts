import { Cluster, Redis } from 'ioredis';
import { redactCredentials } from './redact-credentials.js';
import { PoolNotConfiguredError } from '../../errors/pool-not-configured.error.js';
import { defineBrokerCommands, type BrokerRedis } from '../lua/index.js';
import { isClusterConfig, type RedisPoolsConfig } from './redis-pool.options.js';
import { InvalidStateError } from '../../errors/invalid-state.error.js';

export type { ClusterPoolConfig, RedisPoolConfig, RedisPoolsConfig } from './redis-pool.options.js';

/** A client of one pool: a single Redis or a Redis Cluster. */
export type PoolClient = Redis | Cluster;

/**
 * Named ioredis clients. Each pool's shared client (publishing, acks, statistics) is created on
 * first use; blocking readers get a dedicated connection each, because a blocked XREADGROUP
 * holds its connection and would stall every command queued behind it. A pool configured with
 * `{ cluster: [...] }` is an ioredis `Cluster`: commands go to the master of their key's slot.
 */
export class RedisPools {
  private readonly shared = new Map<string, BrokerRedis>();
  private readonly dedicated = new Set<PoolClient>();
  private readonly losses = new WeakMap<PoolClient, number>();
  private closed = false;

  constructor(private readonly config: RedisPoolsConfig = {}) {}

  /** Whether `pool` is configured. */
  has(pool: string): boolean {
    return Object.hasOwn(this.config, pool);
  }

  /** Whether `pool` is a Redis Cluster (false for an unknown pool). */
  isCluster(pool: string): boolean {
    return this.has(pool) && isClusterConfig(this.config[pool]);
  }

  /** Throws `PoolNotConfiguredError` (naming `stream` when given) unless `pool` is configured. */
  assertConfigured(pool: string, stream?: string): void {
    if (!this.has(pool)) throw new PoolNotConfiguredError(pool, stream);
  }

  /** Names of every configured pool. */
  names(): string[] {
    return Object.keys(this.config);
  }

  /** The pool's shared client; `stream` only names the culprit in the error. */
  get(pool: string, stream?: string): BrokerRedis {
    let client = this.shared.get(pool);
    if (!client) {
      client = defineBrokerCommands(this.connect(pool, stream));
      this.shared.set(pool, client);
    }
    return client;
  }

  /**
   * PINGs the pool: a single Redis, or every master of a cluster (a cluster answers only when
   * each part of the key space does). Rejects with the first failure.
   */
  async ping(pool: string): Promise<void> {
    const client = this.get(pool);
    if (!(client instanceof Cluster)) {
      await client.ping();
      return;
    }
    const masters = client.nodes('master');
    if (masters.length === 0)
      await client.ping(); // not connected yet: connects, or fails
    else await Promise.all(masters.map((node) => node.ping()));
  }

  /**
   * The pool's client for publishes to `durable` streams. Their `WAIT` blocks the connection it
   * runs on until replicas acknowledge (up to its timeout), so it gets a connection of its own:
   * other publishes, acks and reads never queue behind it.
   */
  getDurable(pool: string, stream?: string): BrokerRedis {
    const name = `${pool}\u0000durable`;
    let client = this.shared.get(name);
    if (!client) {
      client = defineBrokerCommands(this.connect(pool, stream));
      this.shared.set(name, client);
    }
    return client;
  }

  /**
   * How many times `client` lost its connection. ioredis sends a command in flight again after
   * a reconnect; a read whose first reply was lost may have delivered messages nobody saw, so a
   * reader compares this before and after a read.
   */
  connectionLosses(client: PoolClient): number {
    return this.losses.get(client) ?? 0;
  }

  /** A new connection for one blocking reader; close it with `release()` (or `close()`). */
  createDedicated(pool: string, stream?: string): PoolClient {
    const client = this.connect(pool, stream);
    this.dedicated.add(client);
    return client;
  }

  /** Closes a dedicated connection at once, failing a read blocked on it. */
  release(client: PoolClient): void {
    this.dedicated.delete(client);
    client.disconnect();
  }

  /** Closes every connection: dedicated ones at once, shared ones after their pending replies. */
  async close(): Promise<void> {
    this.closed = true;
    for (const client of this.dedicated) client.disconnect();
    this.dedicated.clear();
    const clients = [...this.shared.values()];
    this.shared.clear();
    await Promise.all(clients.map(closeClient));
  }

  private connect(pool: string, stream?: string): PoolClient {
    this.assertConfigured(pool, stream);
    if (this.closed)
      throw new InvalidStateError(`Redis pools are closed: cannot connect to pool "${pool}".`);
    const config = this.config[pool];
    let client: PoolClient;
    if (isClusterConfig(config)) {
      const cluster = new Cluster(config.cluster, config.options);
      // Each node is a Redis client of its own, created as the cluster discovers it: the
      // handshake (and its credentials) happens there.
      cluster.on('+node', (node: Redis) => redactCredentials(node));
      client = cluster;
    } else {
      client = redactCredentials(
        typeof config === 'string' ? new Redis(config) : new Redis(config),
      );
    }
    // Failures reach callers as rejected commands; without a listener ioredis would also print
    // every failed reconnect attempt to the console.
    client.on('error', () => undefined);
    client.on('close', () => this.losses.set(client, this.connectionLosses(client) + 1));
    return client;
  }
}

/**
 * Quits gracefully when connected (pending replies arrive first), else disconnects; resolves
 * when the socket is closed. A client that was between reconnect attempts never emits `end`
 * again, hence the bound on the wait.
 */
async function closeClient(client: PoolClient): Promise<void> {
  if (client.status === 'end') return;
  let timer: NodeJS.Timeout | undefined;
  const ended = new Promise<void>((resolve) => {
    client.once('end', resolve);
    timer = setTimeout(resolve, 1_000);
  });
  if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
  else client.disconnect();
  await ended;
  clearTimeout(timer);
}
