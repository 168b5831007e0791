import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import type { AggregateMetadata } from './aggregate.decorator.js';
import { aggregateMetadataOf } from './aggregate-metadata.js';

/** @internal */
export interface CatalogEntry {
  aggregate: Function;
  metadata: AggregateMetadata;
}

/**
 * The aggregates an application registered through `forFeature`, by stored name.
 * @internal
 */
export class AggregateCatalog {
  private readonly byName = new Map<string, CatalogEntry>();

  add(aggregate: Function): CatalogEntry {
    const metadata = aggregateMetadataOf(aggregate);
    const existing = this.byName.get(metadata.name);
    if (existing && existing.aggregate !== aggregate) {
      throw new InvalidArgumentError(
        'aggregate name',
        `"${metadata.name}" is used by both ${existing.aggregate.name} and ${aggregate.name}`,
      );
    }
    const entry = { aggregate, metadata };
    this.byName.set(metadata.name, entry);
    return entry;
  }

  get(name: string): CatalogEntry | undefined {
    return this.byName.get(name);
  }

  all(): CatalogEntry[] {
    return [...this.byName.values()];
  }

  /** Aggregate name → stream, for the aggregates that publish their events. */
  streams(): Map<string, string> {
    return new Map(
      this.all().flatMap((e) => (e.metadata.stream ? [[e.metadata.name, e.metadata.stream]] : [])),
    );
  }
}
