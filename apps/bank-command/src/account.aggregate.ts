import { Aggregate, AggregateRoot, EventHandler } from 'nestjs-flux';
import { InsufficientFundsError } from './errors/insufficient-funds.error.js';
import { AccountCredited, AccountDebited, AccountOpened } from './events/index.js';

/** A bank account; its saved events are relayed to the `bank-accounts` stream. */
@Aggregate({ name: 'account', stream: 'bank-accounts' })
export class Account extends AggregateRoot {
  owner = '';
  balance = 0;

  open(owner: string): void {
    this.apply(new AccountOpened(owner));
  }

  credit(amount: number): void {
    this.apply(new AccountCredited(amount));
  }

  debit(amount: number): void {
    if (amount > this.balance) throw new InsufficientFundsError(this.id, this.balance, amount);
    this.apply(new AccountDebited(amount));
  }

  @EventHandler(AccountOpened)
  onOpened(event: AccountOpened): void {
    this.owner = event.owner;
  }

  @EventHandler(AccountCredited)
  onCredited(event: AccountCredited): void {
    this.balance += event.amount;
  }

  @EventHandler(AccountDebited)
  onDebited(event: AccountDebited): void {
    this.balance -= event.amount;
  }
}
