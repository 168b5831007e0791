import type { ApplyResult, Balance, BalanceChange } from './balance.js';
import { EventGapError } from './event-gap.error.js';

/** The one rule both storages share: apply only version = last applied + 1. */
export function nextBalance(
  current: Balance | null,
  change: BalanceChange,
): { result: ApplyResult; next?: Balance } {
  const applied = current?.version ?? 0;
  if (change.version <= applied) return { result: 'duplicate' };
  if (change.version !== applied + 1) throw new EventGapError(change, applied);
  return {
    result: 'applied',
    next: {
      id: change.accountId,
      owner: change.owner ?? current?.owner ?? '',
      balance: (current?.balance ?? 0) + change.delta,
      version: change.version,
      position: change.position,
    },
  };
}
