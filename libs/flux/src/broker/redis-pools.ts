import { Redis, type RedisOptions } from 'ioredis';
import { redactCredentials } from './redact-credentials.js';
import { PoolNotConfiguredError } from '../errors/pool-not-configured.error.js';
import { defineBrokerCommands, type BrokerRedis } from './lua/index.js';

/** Pool name → `redis://` URL or ioredis options, as in `FluxModuleOptions.redis`. */
export type RedisPoolsConfig = Record<string, string | RedisOptions>;

/**
 * Named ioredis clients. Each pool's shared client (publishing, acks, statistics) is created on
 * first use; blocking readers get a dedicated connection each, because a blocked XREADGROUP
 * holds its connection and would stall every command queued behind it.
 */
export class RedisPools {
  private readonly shared = new Map<string, BrokerRedis>();
  private readonly dedicated = new Set<Redis>();
  private closed = false;

  constructor(private readonly config: RedisPoolsConfig = {}) {}

  /** Whether `pool` is configured. */
  has(pool: string): boolean {
    return Object.hasOwn(this.config, pool);
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

  /** A new connection for one blocking reader; close it with `release()` (or `close()`). */
  createDedicated(pool: string, stream?: string): Redis {
    const client = this.connect(pool, stream);
    this.dedicated.add(client);
    return client;
  }

  /** Closes a dedicated connection at once, failing a read blocked on it. */
  release(client: Redis): void {
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

  private connect(pool: string, stream?: string): Redis {
    this.assertConfigured(pool, stream);
    if (this.closed) throw new Error(`Redis pools are closed: cannot connect to pool "${pool}".`);
    const config = this.config[pool];
    const client = typeof config === 'string' ? new Redis(config) : new Redis(config);
    // Failures reach callers as rejected commands; without a listener ioredis would also print
    // every failed reconnect attempt to the console.
    client.on('error', () => undefined);
    return redactCredentials(client);
  }
}

/**
 * Quits gracefully when connected (pending replies arrive first), else disconnects; resolves
 * when the socket is closed. A client that was between reconnect attempts never emits `end`
 * again, hence the bound on the wait.
 */
async function closeClient(client: Redis): Promise<void> {
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
