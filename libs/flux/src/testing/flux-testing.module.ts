import {
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import type { FluxModuleOptions } from '../module/flux-module-options.interface.js';
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
      const redis =
        typeof config === 'string' ? new Redis(config, fast) : new Redis({ ...config, ...fast });
      redis.on('error', () => undefined);
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(
            cursor,
            'MATCH',
            `${escapeGlob(prefix)}*`,
            'COUNT',
            500,
          );
          if (keys.length > 0) await redis.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      } catch {
        // Unreachable: nothing of this test can be there to delete.
      } finally {
        redis.disconnect();
      }
    }
  }
}

/**
 * `FluxModule` for tests: the in-memory store by default and, when `redis` is given, every key
 * under a random prefix that is deleted when the application closes.
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
