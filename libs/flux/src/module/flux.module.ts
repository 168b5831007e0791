import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { FluxFeedModule } from '../feed/feed.module.js';
import { createFeedSubscriberProviders } from '../feed/subscriber/feed-subscriber.providers.js';
import { FeedSubscribers } from '../feed/subscriber/feed-subscribers.orchestrator.js';
import { DiscoveryModule } from '@nestjs/core';
import { createBrokerProviders } from '../broker/broker.providers.js';
import { MessageCodec } from '../broker/codec/message-codec.js';
import { EventBroker } from '../broker/event-broker.js';
import { RedisPools } from '../broker/pools/redis-pools.js';
import { StreamRegistry } from '../broker/registry/stream-registry.js';
import { CqrsEventBridge } from '../cqrs/cqrs-event-bridge.js';
import { StreamWorkers } from '../workers/stream-workers.orchestrator.js';
import { createWorkerProviders } from '../workers/workers.providers.js';
import { RelayService } from '../relay/relay.service.js';
import { relayOptionsProvider } from './relay-options.provider.js';
import { AggregateCatalog } from '../event-sourcing/aggregate-catalog.js';
import { EventRegistry } from '../event-sourcing/event-registry.js';
import { SavedEventsBus } from '../event-sourcing/saved-events-bus.js';
import { createEventStore } from '../event-store/create-event-store.js';
import { EventStore } from '../event-store/event-store.js';
import { FluxInstrumentation } from '../observability/flux-instrumentation.js';
import { createFluxTracer } from '../observability/tracing/enable-flux-tracing.js';
import type { FluxModuleOptions } from './flux-module.options.js';
import { forFeature } from './flux-feature.module.js';
import { FLUX_MODULE_OPTIONS, FluxConfigurableModule } from './flux.module-definition.js';

/**
 * The root module (global). `forRoot(options)` / `forRootAsync({ imports, inject, useFactory })`
 * come from the ConfigurableModuleBuilder. Every provider is per application: nothing is static.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    { provide: EventRegistry, useFactory: () => new EventRegistry() },
    { provide: AggregateCatalog, useFactory: () => new AggregateCatalog() },
    { provide: SavedEventsBus, useFactory: () => new SavedEventsBus() },
    {
      provide: FluxInstrumentation,
      useFactory: async (options: FluxModuleOptions) => {
        const instrumentation = new FluxInstrumentation();
        instrumentation.tracer = await createFluxTracer(options.tracing);
        return instrumentation;
      },
      inject: [FLUX_MODULE_OPTIONS],
    },
    {
      provide: EventStore,
      useFactory: (options: FluxModuleOptions) => createEventStore(options.eventStore),
      inject: [FLUX_MODULE_OPTIONS],
    },
    ...createBrokerProviders(FLUX_MODULE_OPTIONS),
    ...createWorkerProviders(),
    relayOptionsProvider,
    RelayService,
    CqrsEventBridge,
    ...createFeedSubscriberProviders(),
  ],
  exports: [
    FeedSubscribers,
    StreamWorkers,
    EventRegistry,
    AggregateCatalog,
    SavedEventsBus,
    FluxInstrumentation,
    EventStore,
    FLUX_MODULE_OPTIONS,
    EventBroker,
    StreamRegistry,
    RedisPools,
    MessageCodec,
    RelayService,
  ],
})
export class FluxModule extends FluxConfigurableModule implements OnApplicationShutdown {
  constructor(@Inject(EventStore) private readonly store: EventStore) {
    super();
  }

  static forFeature = forFeature;

  /** `forRoot`, plus the HTTP feed's routes when `feed` is given. */
  static override forRoot(options: FluxModuleOptions): DynamicModule {
    const definition = super.forRoot(options);
    if (!options.feed) return definition;
    return {
      ...definition,
      imports: [...(definition.imports ?? []), FluxFeedModule.forRoot(options.feed)],
    };
  }

  /** Runs after every worker stopped (they stop in beforeApplicationShutdown): producers last. */
  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
