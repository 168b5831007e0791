import { Command } from '@nestjs/cqrs';
import type { AccountView } from '../account.view.js';

export class OpenAccountCommand extends Command<AccountView> {
  constructor(
    readonly accountId: string,
    readonly owner: string,
  ) {
    super();
  }
}
