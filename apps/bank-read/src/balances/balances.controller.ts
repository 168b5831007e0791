import {
  BadRequestException,
  Controller,
  Get,
  NotFoundException,
  Param,
  Query,
} from '@nestjs/common';
import type { Balance } from './balance.js';
import { BalancesStore } from './balances.store.js';

const MAX_TOP = 100;

/** The read model over HTTP: eventually consistent with the command service. */
@Controller('balances')
export class BalancesController {
  constructor(private readonly store: BalancesStore) {}

  @Get()
  async top(@Query('top') top?: string): Promise<Balance[]> {
    return this.store.top(parseTop(top));
  }

  @Get(':id')
  async get(@Param('id') id: string): Promise<Balance> {
    const balance = await this.store.get(id);
    // Not "does not exist": the account may be open already and its event not applied yet.
    if (!balance) throw new NotFoundException(`No balance for account "${id}" (yet).`);
    return balance;
  }
}

function parseTop(raw: unknown): number {
  if (raw === undefined) return 10;
  const top = typeof raw === 'string' && /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
  if (!(top >= 1 && top <= MAX_TOP)) {
    throw new BadRequestException(`top must be an integer from 1 to ${MAX_TOP}`);
  }
  return top;
}
