import { aggregateFixture } from 'nestjs-flux/testing';
import { describe, it } from 'vitest';
import { Account } from './account.aggregate.js';
import { InsufficientFundsError } from './errors/index.js';
import { AccountCredited, AccountDebited, AccountOpened } from './events/index.js';

describe('Account', () => {
  it('opens', () =>
    aggregateFixture(Account)
      .given()
      .when((a) => a.open('ann'))
      .then(new AccountOpened('ann')));

  it('debits within the balance', () =>
    aggregateFixture(Account)
      .given(new AccountOpened('ann'), new AccountCredited(500))
      .when((a) => a.debit(500))
      .then(new AccountDebited(500)));

  it('refuses an overdraft and applies nothing', () =>
    aggregateFixture(Account)
      .given(new AccountOpened('ann'), new AccountCredited(500), new AccountDebited(200))
      .when((a) => a.debit(301))
      .thenThrows(InsufficientFundsError, /balance of 300 cents and cannot be debited 301/));
});
