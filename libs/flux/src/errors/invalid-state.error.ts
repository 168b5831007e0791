import { FluxError } from './flux.error.js';

/** An object was used in a state that does not allow the call (started twice, closed, …). */
export class InvalidStateError extends FluxError {
  constructor(message: string) {
    super('INVALID_STATE', message);
  }
}
