import { AggregateNotRegisteredError } from '../errors/aggregate-not-registered.error.js';
import { type AggregateMetadata, getAggregateMetadata } from './aggregate.decorator.js';
import { getEventHandlers, type EventClass } from './event-handler.decorator.js';

/** @internal */
export function aggregateMetadataOf(aggregate: Function): AggregateMetadata {
  const metadata = getAggregateMetadata(aggregate);
  if (!metadata) throw new AggregateNotRegisteredError(aggregate?.name ?? String(aggregate));
  return metadata;
}

/**
 * Every event class an aggregate can apply: its handlers' and the `events` option's.
 * @internal
 */
export function aggregateEventClasses(aggregate: Function): EventClass[] {
  return [
    ...getEventHandlers(aggregate).map((h) => h.event),
    ...aggregateMetadataOf(aggregate).events,
  ];
}
