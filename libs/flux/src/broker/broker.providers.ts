import type { InjectionToken, Provider } from '@nestjs/common';
import type { BrokerOptions } from './broker.options.js';
import { MessageCodec } from './codec/message-codec.js';
import type { RedisPoolConfig } from './pools/redis-pool.options.js';
import type { StreamRegistration } from './registry/stream-registration.js';
import { FluxInstrumentation } from '../observability/flux-instrumentation.js';
import { EventBroker } from './event-broker.js';
import { RedisPools } from './pools/redis-pools.js';
import { StreamRegistry } from './registry/stream-registry.js';

/**
 * The part of the module options the broker reads (`broker` is optional tuning). Declared here,
 * not imported from `module/`, so the broker does not depend on the module that wires it.
 * @internal
 */
export interface BrokerModuleOptions {
  redis?: Record<string, RedisPoolConfig>;
  streams?: Array<string | StreamRegistration>;
  keyPrefix?: string;
  broker?: BrokerOptions;
}

/**
 * Providers of `RedisPools`, `StreamRegistry` (filled from `options.streams`; `forFeature`
 * registers more), `EventBroker` and the broker's `MessageCodec` (one per app, for every feature
 * that decodes bodies), all from the options behind `optionsToken` (`optionsToken`).
 * Connections open on first use and close in `EventBroker.onApplicationShutdown`.
 * @internal
 */
export function createBrokerProviders(optionsToken: InjectionToken): Provider[] {
  return [
    {
      provide: RedisPools,
      useFactory: (options: BrokerModuleOptions) => new RedisPools(options.redis ?? {}),
      inject: [optionsToken],
    },
    {
      provide: StreamRegistry,
      useFactory: (options: BrokerModuleOptions, pools: RedisPools) => {
        const registry = new StreamRegistry(pools, options.keyPrefix ?? '');
        for (const stream of options.streams ?? []) registry.register(stream);
        return registry;
      },
      inject: [optionsToken, RedisPools],
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
        optionsToken,
        { token: FluxInstrumentation, optional: true },
      ],
    },
    {
      provide: MessageCodec,
      useFactory: (broker: EventBroker) => broker.codec,
      inject: [EventBroker],
    },
  ];
}
