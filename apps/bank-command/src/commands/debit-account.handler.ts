import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type AggregateRepository, InjectAggregateRepository } from 'nestjs-flux';
import { Account } from '../account.aggregate.js';
import { type AccountView, toAccountView } from '../account.view.js';
import { changeAccount } from './change-account.js';
import { DebitAccountCommand } from './debit-account.command.js';

@CommandHandler(DebitAccountCommand)
export class DebitAccountHandler implements ICommandHandler<DebitAccountCommand> {
  constructor(
    @InjectAggregateRepository(Account) private readonly accounts: AggregateRepository<Account>,
  ) {}

  async execute({ accountId, amount, expectedVersion }: DebitAccountCommand): Promise<AccountView> {
    const account = await changeAccount(this.accounts, accountId, expectedVersion, (a) =>
      a.debit(amount),
    );
    return toAccountView(account);
  }
}
