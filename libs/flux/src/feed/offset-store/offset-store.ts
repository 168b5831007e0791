import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';
import type { LeaseBackend } from '../../workers/lease/lease-backend.js';

/**
 * Remembers, per consumer name, the position of the last feed event a consumer finished with.
 * `get` returns 0 for a name never saved (start of the feed). The stores of the library never
 * move an offset back (`save` below the stored position is ignored), so a replica that lost
 * its lease while it worked cannot rewind its successor.
 */
export interface OffsetStore {
  get(name: string): Promise<number>;
  save(name: string, position: number): Promise<void>;
}

/**
 * An offset store that also keeps leases, keyed by consumer name: with one, a `FeedConsumer`
 * follows its feed in one replica at a time (the others stand by). Every store of the library
 * is one; a store of your own may implement `LeaseBackend` too.
 */
export type LeasingOffsetStore = OffsetStore & LeaseBackend;

/**
 * Whether `store` keeps leases.
 * @internal
 */
export function keepsLeases(store: OffsetStore): store is LeasingOffsetStore {
  const s = store as Partial<LeaseBackend>;
  return (
    typeof s.acquireLease === 'function' &&
    typeof s.renewLease === 'function' &&
    typeof s.releaseLease === 'function' &&
    typeof s.leaseToken === 'function'
  );
}

/**
 * Rejects what would corrupt an offset silently (NaN, negatives, fractions).
 * @internal
 */
export function assertOffset(name: string, position: number): void {
  if (!Number.isSafeInteger(position) || position < 0) {
    throw new InvalidArgumentError(
      `offset of "${name}"`,
      `expected a non-negative integer, got ${position}`,
    );
  }
}

/**
 * Reads a stored offset back; anything but a non-negative integer is reported, not guessed.
 * @internal
 */
export function parseStoredOffset(name: string, raw: unknown): number {
  // Decimal digits only: Number() would read '' as 0 and '0x10' as 16.
  const value =
    typeof raw === 'number' || typeof raw === 'bigint'
      ? Number(raw)
      : typeof raw === 'string' && /^\d+$/.test(raw)
        ? Number(raw)
        : Number.NaN;
  if (Number.isNaN(value)) {
    throw new InvalidArgumentError(
      `offset of "${name}"`,
      `the stored value ${JSON.stringify(String(raw))} is not a non-negative integer`,
    );
  }
  assertOffset(name, value);
  return value;
}
