import { CreditAccountHandler } from './credit-account.handler.js';
import { DebitAccountHandler } from './debit-account.handler.js';
import { OpenAccountHandler } from './open-account.handler.js';

export * from './open-account.command.js';
export * from './credit-account.command.js';
export * from './debit-account.command.js';

export const COMMAND_HANDLERS = [OpenAccountHandler, CreditAccountHandler, DebitAccountHandler];
