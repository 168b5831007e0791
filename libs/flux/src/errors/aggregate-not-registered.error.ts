import { FluxError } from './flux.error.js';

export class AggregateNotRegisteredError extends FluxError {
  constructor(readonly aggregate: string) {
    super(
      'AGGREGATE_NOT_REGISTERED',
      `Aggregate ${aggregate} is not registered: decorate it with @Aggregate() and add it to ` +
        `FluxModule.forFeature({ aggregates: [${aggregate}] }).`,
    );
  }
}
