import { FluxError } from './flux.error.js';

/** Another writer stored events for the aggregate since it was loaded. Reload and retry. */
export class ConcurrencyError extends FluxError {
  constructor(
    readonly aggregateName: string,
    readonly aggregateId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
  ) {
    super(
      'CONCURRENCY',
      `Concurrency conflict on ${aggregateName} "${aggregateId}": expected version ${expectedVersion}, ` +
        `but the stored version is ${actualVersion}. Reload the aggregate and retry the command.`,
    );
  }
}
