import { AGGREGATE_METADATA } from '../metadata.constants.js';
import type { EventClass } from './event-handler.decorator.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';

export interface AggregateOptions {
  /** Stored aggregate name; default the class name. */
  name?: string;
  /** Redis stream the relay publishes this aggregate's saved events to. */
  stream?: string;
  /** Store a snapshot every N events. */
  snapshotEvery?: number;
  /** Schema version of the snapshot state; bump it when the state's shape changes. Default 1. */
  snapshotVersion?: number;
  /** Event classes the aggregate may apply without an `@EventHandler` for them. */
  events?: EventClass[];
}

/** @internal */
export interface AggregateMetadata extends Required<
  Pick<AggregateOptions, 'name' | 'snapshotVersion' | 'events'>
> {
  stream?: string;
  snapshotEvery?: number;
}

export function Aggregate(options: AggregateOptions = {}): ClassDecorator {
  return (target) => {
    const every = options.snapshotEvery;
    if (every !== undefined && !(Number.isInteger(every) && every > 0)) {
      throw new InvalidArgumentError(
        `@Aggregate(${target.name}) snapshotEvery`,
        `snapshotEvery must be a positive integer, got ${every}`,
      );
    }
    const metadata: AggregateMetadata = {
      name: options.name ?? target.name,
      stream: options.stream,
      snapshotEvery: every,
      snapshotVersion: options.snapshotVersion ?? 1,
      events: options.events ?? [],
    };
    Reflect.defineMetadata(AGGREGATE_METADATA, metadata, target);
  };
}

/** @internal */
export function getAggregateMetadata(target: Function): AggregateMetadata | undefined {
  return Reflect.getOwnMetadata(AGGREGATE_METADATA, target);
}
