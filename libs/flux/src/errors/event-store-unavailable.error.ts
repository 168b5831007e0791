import { FluxError } from './flux.error.js';

/** The event store's server could not be reached; nothing of the operation was stored. */
export class EventStoreUnavailableError extends FluxError {
  constructor(
    readonly host: string,
    operation: string,
    options?: { cause?: unknown },
  ) {
    const why = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(
      'EVENT_STORE_UNAVAILABLE',
      `Event store at ${host} is unavailable during ${operation}${why}. An append is atomic: all of ` +
        'its events were stored or none; when the connection dropped mid-commit, read the stream to know which.',
      options,
    );
  }
}
