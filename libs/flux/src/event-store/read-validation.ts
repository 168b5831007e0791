import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { assertValidId, describe } from './append-validation.js';
import type { ReadAllOptions, ReadStreamOptions } from './event-store.types.js';

/**
 * A count, position or version: a non-negative safe integer, else `InvalidArgumentError`.
 * @internal
 */
export function assertCount(field: string, value: unknown): asserts value is number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    // describe(), not String(): a hostile object (e.g. { toString: 0 }) must not make the error throw.
    throw new InvalidArgumentError(
      field,
      `expected a non-negative integer, got ${describe(value)}`,
    );
  }
}

function count(field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  assertCount(field, value);
  return value;
}

/**
 * Checks `readStream` arguments before any I/O; `from` is at least 1.
 * @internal
 */
export function validateReadStream(aggregateId: unknown, options: ReadStreamOptions = {}) {
  assertValidId('aggregateId', aggregateId);
  return {
    from: Math.max(1, count('fromVersion', options.fromVersion, 1)),
    limit: options.limit === undefined ? undefined : count('limit', options.limit, 0),
  };
}

/**
 * Checks `readAll` arguments before any I/O.
 * @internal
 */
export function validateReadAll(options: ReadAllOptions = {}) {
  return {
    after: count('after', options.after, 0),
    limit: options.limit === undefined ? undefined : count('limit', options.limit, 0),
  };
}
