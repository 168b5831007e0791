import {
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Cluster, Redis } from 'ioredis';
import { isClusterConfig } from '../broker/pools/redis-pool.options.js';
import { randomBytes } from 'node:crypto';
import type { FluxModuleOptions } from '../module/flux-module.options.js';
import { FLUX_MODULE_OPTIONS } from '../module/flux.module-definition.js';
import { FluxModule } from '../module/flux.module.js';

/** Deletes every key under the test's random prefix once the app closes. */
@Injectable()
class TestKeyCleanup implements OnApplicationShutdown {
  constructor(@Inject(FLUX_MODULE_OPTIONS) private readonly options: FluxModuleOptions) {}

  async onApplicationShutdown(): Promise<void> {
    const prefix = this.options.keyPrefix;
    if (!prefix) return;
    for (const config of Object.values(this.options.redis ?? {})) {
      // Give up at once on an unreachable pool: cleanup must never hang a test's close().
      const fast = { maxRetriesPerRequest: 1, retryStrategy: () => null, connectTimeout: 1_000 };
      if (isClusterConfig(config)) {
        const cluster = new Cluster(config.cluster, {
          ...config.options,
          clusterRetryStrategy: () => null,
          redisOptions: { ...config.options?.redisOptions, ...fast },
        });
        cluster.on('error', () => undefined);
        try {
          await cluster.ping(); // connects and learns the slot map
          // Keys live on every master: each one is scanned on its own.
          for (const node of cluster.nodes('master')) await deleteMatching(node, prefix);
        } catch {
          // Unreachable: nothing of this test can be there to delete.
        } finally {
          cluster.disconnect();
        }
        continue;
      }
      const redis =
        typeof config === 'string' ? new Redis(config, fast) : new Redis({ ...config, ...fast });
      redis.on('error', () => undefined);
      try {
        await deleteMatching(redis, prefix);
      } catch {
        // Unreachable: nothing of this test can be there to delete.
      } finally {
        redis.disconnect();
      }
    }
  }
}

async function deleteMatching(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `*${escapeGlob(prefix)}*`, 'COUNT', 500);
    // One DEL per key (pipelined): on a cluster node, keys of one DEL must share a slot.
    if (keys.length > 0) await keys.reduce((p, key) => p.del(key), redis.pipeline()).exec();
    cursor = next;
  } while (cursor !== '0');
}

/**
 * `FluxModule` for tests: the in-memory store by default and, when `redis` is given, every key
 * under a random prefix that is deleted when the application closes.
 * @internal
 */
@Module({})
export class FluxTestingModule {
  static forRoot(options: FluxModuleOptions = {}): DynamicModule {
    const keyPrefix = options.redis
      ? `${options.keyPrefix ?? ''}flux-test:${randomBytes(6).toString('hex')}:`
      : options.keyPrefix;
    return {
      module: FluxTestingModule,
      imports: [FluxModule.forRoot({ eventStore: { type: 'memory' }, ...options, keyPrefix })],
      providers: [TestKeyCleanup],
    };
  }
}

function escapeGlob(value: string): string {
  return value.replace(/[*?[\]\\]/g, '\\$&');
}
