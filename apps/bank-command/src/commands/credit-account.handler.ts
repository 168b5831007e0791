import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type AggregateRepository, InjectAggregateRepository } from 'nestjs-flux';
import { Account } from '../account.aggregate.js';
import { type AccountView, toAccountView } from '../account.view.js';
import { changeAccount } from './change-account.js';
import { CreditAccountCommand } from './credit-account.command.js';

@CommandHandler(CreditAccountCommand)
export class CreditAccountHandler implements ICommandHandler<CreditAccountCommand> {
  constructor(
    @InjectAggregateRepository(Account) private readonly accounts: AggregateRepository<Account>,
  ) {}

  async execute({
    accountId,
    amount,
    expectedVersion,
  }: CreditAccountCommand): Promise<AccountView> {
    const account = await changeAccount(this.accounts, accountId, expectedVersion, (a) =>
      a.credit(amount),
    );
    return toAccountView(account);
  }
}
