import { FluxError } from './flux.error.js';

/** Data that cannot be stored or sent as-is (cycles, functions, BigInt, symbols, …). */
export class SerializationError extends FluxError {
  constructor(
    readonly field: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('SERIALIZATION', `Cannot serialize ${field}: ${reason}`, options);
  }
}
