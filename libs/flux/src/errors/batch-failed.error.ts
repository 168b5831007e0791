import { describeError } from './describe-error.js';
import { FluxError } from './flux.error.js';

/** A batch's handler failed: its unhandled messages stay pending for a retry after a backoff. */
export class BatchFailedError extends FluxError {
  constructor(readonly failure: unknown) {
    super('BATCH_FAILED', describeError(failure), { cause: failure });
  }
}
