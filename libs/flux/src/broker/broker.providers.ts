import type { Provider } from '@nestjs/common';
import type { FluxModuleOptions } from '../module/flux-module-options.interface.js';
import { FLUX_MODULE_OPTIONS } from '../module/flux.module-definition.js';
import type { BrokerOptions } from './broker-options.interface.js';
import { FluxInstrumentation } from '../observability/flux-instrumentation.js';
import { EventBroker } from './event-broker.js';
import { RedisPools } from './redis-pools.js';
import { StreamRegistry } from './stream-registry.js';

/** Module options as the broker reads them (`broker` is optional tuning). */
type BrokerModuleOptions = FluxModuleOptions & { broker?: BrokerOptions };

/**
 * Providers of `RedisPools`, `StreamRegistry` (filled from `options.streams`; `forFeature`
 * registers more) and `EventBroker`, all from `FLUX_MODULE_OPTIONS`. Connections open on first
 * use and close in `EventBroker.onApplicationShutdown`.
 */
export function createBrokerProviders(): Provider[] {
  return [
    {
      provide: RedisPools,
      useFactory: (options: BrokerModuleOptions) => new RedisPools(options.redis ?? {}),
      inject: [FLUX_MODULE_OPTIONS],
    },
    {
      provide: StreamRegistry,
      useFactory: (options: BrokerModuleOptions, pools: RedisPools) => {
        const registry = new StreamRegistry(pools, options.keyPrefix ?? '');
        for (const stream of options.streams ?? []) registry.register(stream);
        return registry;
      },
      inject: [FLUX_MODULE_OPTIONS, RedisPools],
    },
    {
      provide: EventBroker,
      useFactory: (
        registry: StreamRegistry,
        pools: RedisPools,
        options: BrokerModuleOptions,
        instrumentation?: FluxInstrumentation,
      ) => new EventBroker(registry, pools, options.broker, instrumentation),
      inject: [
        StreamRegistry,
        RedisPools,
        FLUX_MODULE_OPTIONS,
        { token: FluxInstrumentation, optional: true },
      ],
    },
  ];
}
