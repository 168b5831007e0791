import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { StreamRegistration } from './registry/stream-registration.js';
import type { BrokerOptions } from './broker.options.js';
import { EventBroker } from './event-broker.js';
import { RedisPools } from './pools/redis-pools.js';
import { StreamRegistry } from './registry/stream-registry.js';

/** Shared Redis of the test suite; db 1 plays a second pool on the same server. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestBroker {
  broker: EventBroker;
  registry: StreamRegistry;
  prefix: string;
  /** A plain client on db 0 for assertions. */
  admin: Redis;
  key(stream: string): string;
  close(): Promise<void>;
}

/** A broker on a random key prefix; `close()` deletes every key under it in db 0 and db 1. */
export function createTestBroker(
  streams: Array<string | StreamRegistration>,
  redis: Record<string, string | RedisOptions> = { default: `${REDIS_URL}/0` },
  options: BrokerOptions = {},
): TestBroker {
  const prefix = `flux-test:${randomBytes(6).toString('hex')}:`;
  const pools = new RedisPools(redis);
  const registry = new StreamRegistry(pools, prefix);
  for (const stream of streams) registry.register(stream);
  const broker = new EventBroker(registry, pools, options);
  const admin = new Redis(`${REDIS_URL}/0`);
  return {
    broker,
    registry,
    prefix,
    admin,
    key: (stream) => prefix + stream,
    async close() {
      await broker.close();
      for (const db of [0, 1]) {
        await admin.select(db);
        // Keys that share a partition's slot start with `{<prefix>…}`.
        const keys = [...(await admin.keys(`${prefix}*`)), ...(await admin.keys(`{${prefix}*`))];
        if (keys.length > 0) await admin.del(...keys);
      }
      await admin.quit();
    },
  };
}

/** Polls `condition` until it holds; fails after `timeoutMs`, naming `what`. */
export async function waitFor(
  condition: () => Promise<boolean> | boolean,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
