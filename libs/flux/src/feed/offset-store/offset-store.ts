import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';

/**
 * Remembers, per consumer name, the position of the last feed event a consumer finished with.
 * `get` returns 0 for a name never saved (start of the feed).
 */
export interface OffsetStore {
  get(name: string): Promise<number>;
  save(name: string, position: number): Promise<void>;
}

/** Rejects what would corrupt an offset silently (NaN, negatives, fractions). */
export function assertOffset(name: string, position: number): void {
  if (!Number.isSafeInteger(position) || position < 0) {
    throw new InvalidArgumentError(
      `offset of "${name}"`,
      `expected a non-negative integer, got ${position}`,
    );
  }
}

/** Reads a stored offset back; anything but a non-negative integer is reported, not guessed. */
export function parseStoredOffset(name: string, raw: unknown): number {
  const value = Number(raw);
  assertOffset(name, value);
  return value;
}
