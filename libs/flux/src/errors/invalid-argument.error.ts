import { FluxError } from './flux.error.js';

/** A caller-supplied value is malformed; `field` names it. */
export class InvalidArgumentError extends FluxError {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super('INVALID_ARGUMENT', `Invalid ${field}: ${reason}`);
  }
}
