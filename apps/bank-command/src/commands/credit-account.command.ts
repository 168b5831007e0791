import { Command } from '@nestjs/cqrs';
import type { AccountView } from '../account.view.js';

/** `amount` in cents; `expectedVersion` pins the account version the client saw. */
export class CreditAccountCommand extends Command<AccountView> {
  constructor(
    readonly accountId: string,
    readonly amount: number,
    readonly expectedVersion?: number,
  ) {
    super();
  }
}
