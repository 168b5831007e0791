/** One account as the read model knows it. */
export interface Balance {
  id: string;
  owner: string;
  /** In cents. */
  balance: number;
  /** Version of the last event applied to this account. */
  version: number;
  /** Global position of that event in the command service's log. */
  position: number;
}

/** One account event reduced to what the projection needs. */
export interface BalanceChange {
  accountId: string;
  version: number;
  position: number;
  /** Cents added (negative for a debit). */
  delta: number;
  /** Set by `AccountOpened`. */
  owner?: string;
}

/** `duplicate`: the event was applied before (a redelivery) and changed nothing. */
export type ApplyResult = 'applied' | 'duplicate';
