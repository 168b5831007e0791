import { Module } from '@nestjs/common';
import { EventBroker } from '../broker/event-broker.js';
import { RedisPools } from '../broker/pools/redis-pools.js';
import { EventStore } from '../event-store/event-store.js';
import { loadOptionalPeer } from '../peers/load-optional-peer.js';
import { RelayService } from '../relay/relay.service.js';
import { StreamWorkers } from '../workers/stream-workers.orchestrator.js';
import { FluxHealthIndicator } from './flux-health.indicator.js';

/**
 * Provides `FluxHealthIndicator` for your terminus `HealthCheckService.check([...])` calls.
 * `@nestjs/terminus` is an optional peer, loaded when the module starts (not when nestjs-flux is
 * imported); without it the application fails to start with `MissingPeerDependencyError`.
 */
@Module({
  providers: [
    {
      provide: FluxHealthIndicator,
      useFactory: async (
        store: EventStore,
        pools?: RedisPools,
        broker?: EventBroker,
        workers?: StreamWorkers,
        relay?: RelayService,
      ) => {
        const { HealthIndicatorService } = await loadOptionalPeer({
          name: '@nestjs/terminus',
          feature: 'FluxHealthModule',
          load: () => import('@nestjs/terminus'),
        });
        const health = new HealthIndicatorService();
        return new FluxHealthIndicator(health, store, pools, broker, workers, relay);
      },
      inject: [
        EventStore,
        { token: RedisPools, optional: true },
        { token: EventBroker, optional: true },
        { token: StreamWorkers, optional: true },
        { token: RelayService, optional: true },
      ],
    },
  ],
  exports: [FluxHealthIndicator],
})
export class FluxHealthModule {}
