import type { ApplyResult, Balance, BalanceChange } from './balance.js';
import { BalancesStore } from './balances.store.js';
import { nextBalance } from './next-balance.js';

/** The embedded default: balances in a Map, rebuilt from the start of the feed on restart. */
export class MemoryBalancesStore extends BalancesStore {
  private readonly rows = new Map<string, Balance>();
  private last = 0;

  async apply(change: BalanceChange): Promise<ApplyResult> {
    const { result, next } = nextBalance(this.rows.get(change.accountId) ?? null, change);
    if (next) {
      this.rows.set(next.id, next);
      this.last = Math.max(this.last, next.position);
    }
    return result;
  }

  async get(id: string): Promise<Balance | null> {
    const row = this.rows.get(id);
    return row ? { ...row } : null;
  }

  async top(limit: number): Promise<Balance[]> {
    return [...this.rows.values()]
      .sort((a, b) => b.balance - a.balance || (a.id < b.id ? -1 : 1))
      .slice(0, limit)
      .map((row) => ({ ...row }));
  }

  async count(): Promise<number> {
    return this.rows.size;
  }

  async lastPosition(): Promise<number> {
    return this.last;
  }

  async close(): Promise<void> {}
}
