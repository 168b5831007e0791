/** A debit larger than the balance: the bank refuses overdrafts. */
export class InsufficientFundsError extends Error {
  constructor(
    readonly accountId: string,
    readonly balance: number,
    readonly amount: number,
  ) {
    super(
      `Insufficient funds: account "${accountId}" has a balance of ${balance} cents ` +
        `and cannot be debited ${amount} cents.`,
    );
    this.name = 'InsufficientFundsError';
  }
}
