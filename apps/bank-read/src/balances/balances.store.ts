import type { ApplyResult, Balance, BalanceChange } from './balance.js';

/**
 * Storage of the balances projection (memory or MySQL), injectable by this class. `apply` is
 * idempotent: a change whose version is not the last applied + 1 is skipped (older) or refused
 * with `EventGapError` (newer), so redeliveries never count twice.
 */
export abstract class BalancesStore {
  abstract apply(change: BalanceChange): Promise<ApplyResult>;
  abstract get(id: string): Promise<Balance | null>;
  /** Highest balances first. */
  abstract top(limit: number): Promise<Balance[]>;
  abstract count(): Promise<number>;
  /** Highest event position applied (0 when none). */
  abstract lastPosition(): Promise<number>;
  abstract close(): Promise<void>;
}
