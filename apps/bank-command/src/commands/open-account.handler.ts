import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type AggregateRepository, ConcurrencyError, InjectAggregateRepository } from 'nestjs-flux';
import { Account } from '../account.aggregate.js';
import { type AccountView, toAccountView } from '../account.view.js';
import { AccountAlreadyExistsError } from '../errors/index.js';
import { OpenAccountCommand } from './open-account.command.js';

@CommandHandler(OpenAccountCommand)
export class OpenAccountHandler implements ICommandHandler<OpenAccountCommand> {
  constructor(
    @InjectAggregateRepository(Account) private readonly accounts: AggregateRepository<Account>,
  ) {}

  async execute({ accountId, owner }: OpenAccountCommand): Promise<AccountView> {
    const account = this.accounts.create(accountId);
    account.open(owner);
    try {
      // A new aggregate saves expecting version 0, so the store itself refuses a duplicate id.
      await this.accounts.save(account);
    } catch (error) {
      if (error instanceof ConcurrencyError) throw new AccountAlreadyExistsError(accountId);
      throw error;
    }
    return toAccountView(account);
  }
}
