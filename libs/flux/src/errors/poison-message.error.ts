import { FluxError } from './flux.error.js';

/**
 * A message no retry can fix (no or unknown `type`, undecodable body): it is dead-lettered at
 * once instead of being redelivered `maxDeliveries` times.
 */
export class PoisonMessageError extends FluxError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super('POISON_MESSAGE', reason, options);
  }
}
