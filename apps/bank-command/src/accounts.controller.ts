import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Res,
  UseFilters,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { ServerResponse } from 'node:http';
import { type AggregateRepository, InjectAggregateRepository } from 'nestjs-flux';
import { Account } from './account.aggregate.js';
import { type AccountView, toAccountView } from './account.view.js';
import { BankErrorsFilter } from './bank-errors.filter.js';
import { CreditAccountCommand, DebitAccountCommand, OpenAccountCommand } from './commands/index.js';
import { parseAmount, parseExpectedVersion, parseOpenAccount } from './request-parsing.js';

/** Accounts over HTTP. The ETag is the account version, to send back as `If-Match`. */
@Controller('accounts')
@UseFilters(BankErrorsFilter)
export class AccountsController {
  constructor(
    private readonly commands: CommandBus,
    @InjectAggregateRepository(Account) private readonly accounts: AggregateRepository<Account>,
  ) {}

  @Post()
  async open(
    @Body() body: unknown,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<AccountView> {
    const { id, owner } = parseOpenAccount(body);
    const view = await this.commands.execute(new OpenAccountCommand(id, owner));
    res.setHeader('Location', `/accounts/${encodeURIComponent(id)}`);
    return withEtag(res, view);
  }

  @Post(':id/credit')
  @HttpCode(200)
  async credit(
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<AccountView> {
    const command = new CreditAccountCommand(
      id,
      parseAmount(body),
      parseExpectedVersion(ifMatch, body),
    );
    return withEtag(res, await this.commands.execute(command));
  }

  @Post(':id/debit')
  @HttpCode(200)
  async debit(
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<AccountView> {
    const command = new DebitAccountCommand(
      id,
      parseAmount(body),
      parseExpectedVersion(ifMatch, body),
    );
    return withEtag(res, await this.commands.execute(command));
  }

  /** A read of the write model itself: always current, unlike the read service. */
  @Get(':id')
  async get(
    @Param('id') id: string,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<AccountView> {
    return withEtag(res, toAccountView(await this.accounts.load(id)));
  }
}

function withEtag(res: ServerResponse, view: AccountView): AccountView {
  res.setHeader('ETag', `"${view.version}"`);
  return view;
}
