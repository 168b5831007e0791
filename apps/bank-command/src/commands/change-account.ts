import type { AggregateRepository } from 'nestjs-flux';
import type { Account } from '../account.aggregate.js';
import { VersionMismatchError } from '../errors/index.js';

/**
 * Conflicts on a busy account are normal when nobody pinned a version: reloading and re-running
 * the command is then always correct, so allow more attempts than the library's default of 3.
 */
export const UPDATE_RETRIES = 20;

/**
 * Runs `change` on the account. With `expectedVersion` (the client's `If-Match`) it must still be
 * at that version and a concurrent write surfaces as a conflict; without it conflicts are retried.
 */
export async function changeAccount(
  accounts: AggregateRepository<Account>,
  id: string,
  expectedVersion: number | undefined,
  change: (account: Account) => void,
): Promise<Account> {
  if (expectedVersion === undefined) {
    return accounts.update(id, change, { retries: UPDATE_RETRIES });
  }
  const account = await accounts.load(id);
  if (account.version !== expectedVersion) {
    throw new VersionMismatchError(id, expectedVersion, account.version);
  }
  change(account);
  await accounts.save(account);
  return account;
}
