import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { SerializationError } from '../errors/serialization.error.js';
import type { AppendOptions, NewEvent } from './event-store.types.js';

export const MAX_ID_LENGTH = 255;
export const MAX_TYPE_LENGTH = 255;
/** Deepest nesting of event data and metadata: MySQL's JSON type stores at most 32 levels. */
export const MAX_JSON_DEPTH = 32;

// A UTF-16 surrogate without its pair: valid in a JS string, not in UTF-8 (MySQL refuses it).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** @internal */
export function assertValidId(field: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidArgumentError(field, `expected a non-empty string, got ${describe(value)}`);
  }
  if (value.length > MAX_ID_LENGTH) {
    throw new InvalidArgumentError(
      field,
      `"${value.slice(0, 32)}…" is ${value.length} characters; the limit is ${MAX_ID_LENGTH}`,
    );
  }
}

/**
 * Checks everything an append needs before any I/O, so a bad batch writes nothing.
 * @internal
 */
export function validateAppend(
  aggregateId: string,
  events: NewEvent[],
  options: AppendOptions,
): void {
  assertValidId('aggregateId', aggregateId);
  assertValidId('aggregateName', options?.aggregateName);
  const expected = options.expectedVersion;
  if (expected !== 'any' && !(Number.isSafeInteger(expected) && expected >= 0)) {
    throw new InvalidArgumentError(
      'expectedVersion',
      `expected a non-negative integer or 'any', got ${describe(expected)}`,
    );
  }
  if (!Array.isArray(events))
    throw new InvalidArgumentError('events', `expected an array, got ${describe(events)}`);
  events.forEach((event, i) => {
    const type = event?.type;
    if (typeof type !== 'string' || type.length === 0 || type.length > MAX_TYPE_LENGTH) {
      throw new InvalidArgumentError(
        `events[${i}].type`,
        `expected a non-empty string of at most ${MAX_TYPE_LENGTH} characters, got ${describe(type)}`,
      );
    }
    assertJsonSafe(`events[${i}].data (${type})`, event.data);
    if (event.metadata !== undefined)
      assertJsonSafe(`events[${i}].metadata (${type})`, event.metadata);
  });
}

/**
 * Rejects values that JSON would silently change or drop: a stored event must read back as it
 * was written. Walks the value once; cycles, functions, symbols, BigInt and non-finite numbers fail.
 * @internal
 */
export function assertJsonSafe(
  field: string,
  value: unknown,
  path = '',
  seen = new Set<object>(),
  depth = 0,
): void {
  const at = () => (path ? `${field} at ${path}` : field);
  switch (typeof value) {
    case 'string':
      if (LONE_SURROGATE.test(value))
        throw new SerializationError(at(), 'it contains an unpaired UTF-16 surrogate');
      return;
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value))
        throw new SerializationError(at(), `${value} is not representable in JSON`);
      return;
    case 'undefined':
      if (path === '') throw new SerializationError(at(), 'undefined is not representable in JSON');
      return;
    case 'bigint':
    case 'function':
    case 'symbol':
      throw new SerializationError(at(), `a ${typeof value} is not representable in JSON`);
  }
  if (value === null) return;
  const obj = value as object;
  if (seen.has(obj)) throw new SerializationError(at(), 'it contains a circular reference');
  if (obj instanceof Date) return;
  // Checked before descending, so hostile nesting fails here rather than overflowing the stack.
  if (depth >= MAX_JSON_DEPTH)
    throw new SerializationError(at(), `it is nested deeper than ${MAX_JSON_DEPTH} levels`);
  seen.add(obj);
  if (Array.isArray(obj)) {
    obj.forEach((item, i) => assertJsonSafe(field, item, `${path}[${i}]`, seen, depth + 1));
  } else {
    for (const [key, item] of Object.entries(obj)) {
      if (LONE_SURROGATE.test(key))
        throw new SerializationError(at(), 'a key contains an unpaired UTF-16 surrogate');
      assertJsonSafe(field, item, path ? `${path}.${key}` : key, seen, depth + 1);
    }
  }
  seen.delete(obj);
}

/** @internal */
export function describe(value: unknown): string {
  if (typeof value === 'string')
    return value.length > 40 ? `"${value.slice(0, 40)}…"` : `"${value}"`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
