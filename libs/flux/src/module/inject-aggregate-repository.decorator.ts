import { Inject } from '@nestjs/common';
import { aggregateMetadataOf } from '../event-sourcing/aggregate-metadata.js';

/** Injection token of an aggregate's repository; one per aggregate name in an application. */
export function getAggregateRepositoryToken(aggregate: Function): string {
  return `flux:repository:${aggregateMetadataOf(aggregate).name}`;
}

/** Injects `AggregateRepository<T>` for an aggregate added with `FluxModule.forFeature`. */
export const InjectAggregateRepository = (
  aggregate: Function,
): ParameterDecorator & PropertyDecorator => Inject(getAggregateRepositoryToken(aggregate));
