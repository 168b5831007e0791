import type { BalanceChange } from './balance.js';

/**
 * An event arrived before one it depends on. Failing makes the transport redeliver it later,
 * and a real loss shows up in the logs (and the dead-letter stream) instead of a wrong balance.
 */
export class EventGapError extends Error {
  constructor(change: BalanceChange, applied: number) {
    super(
      `Account "${change.accountId}": got version ${change.version}, but the read model has ` +
        `applied up to version ${applied}; waiting for version ${applied + 1} first.`,
    );
    this.name = 'EventGapError';
  }
}
