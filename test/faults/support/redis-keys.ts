import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { EventBroker, RedisPools, type StreamRegistration } from 'nestjs-flux';
import { StreamRegistry } from '../../../libs/flux/src/broker/registry/stream-registry.js';
import { REDIS_URL } from './env.js';

/** A key prefix no other test uses (deleted by `deleteKeys`). */
export const keyPrefix = (label: string): string =>
  `flux-faults:${label}:${randomBytes(5).toString('hex')}:`;

/** Deletes every key under `prefix`; gives up quietly on an unreachable server. */
export async function deleteKeys(prefix: string, url = REDIS_URL): Promise<void> {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    connectTimeout: 2_000,
  });
  redis.on('error', () => undefined);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 1000); // also {<prefix>…} keys (leases)
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch {
    // Nothing of the test can be left on a server that is gone.
  } finally {
    redis.disconnect();
  }
}

export interface TestBroker {
  broker: EventBroker;
  pools: RedisPools;
  registry: StreamRegistry;
  prefix: string;
  close(): Promise<void>;
}

/** An `EventBroker` without Nest, on `url` under a fresh key prefix. */
export function createBroker(
  label: string,
  streams: Array<string | StreamRegistration>,
  url = REDIS_URL,
  options: ConstructorParameters<typeof EventBroker>[2] = {},
): TestBroker {
  const prefix = keyPrefix(label);
  const pools = new RedisPools({ default: url });
  const registry = new StreamRegistry(pools, prefix);
  for (const stream of streams) registry.register(stream);
  const broker = new EventBroker(registry, pools, options);
  return {
    broker,
    pools,
    registry,
    prefix,
    async close() {
      await broker.close().catch(() => undefined);
      await deleteKeys(prefix, url);
    },
  };
}
