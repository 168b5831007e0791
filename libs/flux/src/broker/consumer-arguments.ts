import { InvalidArgumentError } from '../errors/invalid-argument.error.js';

/** What is wrong with `consume`/`autoClaim` arguments, before anything reaches Redis. */
export function readArgumentsError(
  count: number,
  waitName: 'blockMs' | 'minIdleMs',
  waitMs: number,
  handler: unknown,
): InvalidArgumentError | undefined {
  if (!Number.isInteger(count) || count < 1) {
    return new InvalidArgumentError('count', `must be a positive integer, got ${count}`);
  }
  if (!Number.isInteger(waitMs) || waitMs < 0) {
    return new InvalidArgumentError(waitName, `must be an integer ≥ 0, got ${waitMs}`);
  }
  if (typeof handler !== 'function') {
    return new InvalidArgumentError('handler', 'must be a function receiving the batch');
  }
  return undefined;
}
