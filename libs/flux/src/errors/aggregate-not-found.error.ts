import { FluxError } from './flux.error.js';

export class AggregateNotFoundError extends FluxError {
  constructor(
    readonly aggregateName: string,
    readonly aggregateId: string,
  ) {
    super(
      'AGGREGATE_NOT_FOUND',
      `${aggregateName} "${aggregateId}" was not found: it has no stored events.`,
    );
  }
}
