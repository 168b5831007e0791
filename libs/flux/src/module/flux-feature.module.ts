import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { AggregateCatalog } from '../event-sourcing/aggregate-catalog.js';
import { aggregateEventClasses } from '../event-sourcing/aggregate-metadata.js';
import { AggregateRepository } from '../event-sourcing/aggregate-repository.js';
import type { EventClass } from '../event-sourcing/event-handler.decorator.js';
import { EventRegistry } from '../event-sourcing/event-registry.js';
import { SavedEventsBus } from '../event-sourcing/saved-events-bus.js';
import { EventStore } from '../event-store/event-store.js';
import { FluxInstrumentation } from '../observability/flux-instrumentation.js';
import { StreamRegistry } from '../broker/registry/stream-registry.js';
import type { StreamRegistration } from '../broker/registry/stream-registration.js';
import { getAggregateRepositoryToken } from './inject-aggregate-repository.decorator.js';

export interface FluxFeatureOptions {
  aggregates?: Array<new () => any>;
  streams?: Array<string | StreamRegistration>;
  /** Event classes to make known beyond those the aggregates and handlers reference. */
  events?: EventClass[];
}

/**
 * Holder module of `FluxModule.forFeature`; separate so the root providers are not duplicated.
 * @internal
 */
@Module({})
export class FluxFeatureModule {}

/** @internal */
export function forFeature(options: FluxFeatureOptions = {}): DynamicModule {
  const repositories: Provider[] = (options.aggregates ?? []).map((aggregate) => ({
    provide: getAggregateRepositoryToken(aggregate),
    useFactory: (
      store: EventStore,
      registry: EventRegistry,
      catalog: AggregateCatalog,
      bus: SavedEventsBus,
      instrumentation: FluxInstrumentation,
    ) => {
      const { metadata } = catalog.add(aggregate);
      registry.register(...aggregateEventClasses(aggregate));
      return new AggregateRepository(
        aggregate,
        metadata,
        store,
        registry,
        bus.all,
        instrumentation,
      );
    },
    inject: [EventStore, EventRegistry, AggregateCatalog, SavedEventsBus, FluxInstrumentation],
  }));
  const registration: Provider = {
    provide: Symbol('flux:feature'),
    useFactory: (events: EventRegistry, streams: StreamRegistry) => {
      events.register(...(options.events ?? []));
      for (const stream of options.streams ?? []) streams.register(stream);
    },
    inject: [EventRegistry, StreamRegistry],
  };
  return {
    module: FluxFeatureModule,
    providers: [...repositories, registration],
    exports: repositories.map((p) => (p as { provide: string }).provide),
  };
}
