import type { Account } from './account.aggregate.js';

/** What the HTTP API returns for an account. */
export interface AccountView {
  id: string;
  owner: string;
  balance: number;
  version: number;
}

export function toAccountView(account: Account): AccountView {
  return {
    id: account.id,
    owner: account.owner,
    balance: account.balance,
    version: account.version,
  };
}
