import { type DynamicModule, Module, type OnModuleDestroy } from '@nestjs/common';
import { register as globalRegistry } from 'prom-client';
import { EventBroker } from '../broker/event-broker.js';
import { EventStore } from '../event-store/event-store.js';
import { RelayService } from '../relay/relay.service.js';
import { FluxInstrumentation } from './flux-instrumentation.js';
import { FluxMetrics, type FluxMetricsOptions } from './flux-metrics.js';

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
          useFactory: (
            opts: FluxMetricsOptions,
            instrumentation: FluxInstrumentation,
            store: EventStore,
            broker?: EventBroker,
            relay?: RelayService,
          ) =>
            new FluxMetricsHost(
              new FluxMetrics(instrumentation, broker, store, relay, {
                ...opts,
                registry: opts.registry ?? globalRegistry,
              }),
            ),
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
