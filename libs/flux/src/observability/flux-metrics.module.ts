import { type DynamicModule, Module, type OnModuleDestroy } from '@nestjs/common';
import { EventBroker } from '../broker/event-broker.js';
import { EventStore } from '../event-store/event-store.js';
import { RelayService } from '../relay/relay.service.js';
import { FluxInstrumentation } from './flux-instrumentation.js';
import type { FluxMetrics, FluxMetricsOptions } from './flux-metrics.js';
import { loadOptionalPeer } from '../peers/load-optional-peer.js';

const METRICS_OPTIONS = Symbol('flux:metrics_options');

class FluxMetricsHost implements OnModuleDestroy {
  constructor(readonly metrics: FluxMetrics) {}
  onModuleDestroy(): void {
    this.metrics.close();
  }
}

/**
 * Registers nestjs-flux's Prometheus metrics on your registry (default: prom-client's global one);
 * expose them with your own `/metrics` route (`registry.metrics()`). Import after `FluxModule`.
 * `prom-client` is an optional peer, loaded when the module starts; without it the application
 * fails to start with `MissingPeerDependencyError`.
 */
@Module({})
export class FluxMetricsModule {
  static forRoot(options: FluxMetricsOptions = {}): DynamicModule {
    return {
      module: FluxMetricsModule,
      providers: [
        { provide: METRICS_OPTIONS, useValue: options },
        {
          provide: FluxMetricsHost,
          useFactory: async (
            opts: FluxMetricsOptions,
            instrumentation: FluxInstrumentation,
            store: EventStore,
            broker?: EventBroker,
            relay?: RelayService,
          ) => {
            // prom-client is an optional peer: loaded here, when the module starts.
            const [{ register: globalRegistry }, { FluxMetrics }] = await Promise.all([
              loadOptionalPeer({
                name: 'prom-client',
                feature: 'FluxMetricsModule',
                load: () => import('prom-client'),
              }),
              loadOptionalPeer({
                name: 'prom-client',
                feature: 'FluxMetricsModule',
                load: () => import('./flux-metrics.js'),
              }),
            ]);
            const registry = opts.registry ?? globalRegistry;
            return new FluxMetricsHost(
              new FluxMetrics(instrumentation, broker, store, relay, { ...opts, registry }),
            );
          },
          inject: [
            METRICS_OPTIONS,
            FluxInstrumentation,
            EventStore,
            { token: EventBroker, optional: true },
            { token: RelayService, optional: true },
          ],
        },
      ],
    };
  }
}
