import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import {
  Account,
  AccountCredited,
  AccountDebited,
  AccountOpened,
  InsufficientFundsError,
} from '../event-sourcing/fixtures/account.fixture.js';
import { aggregateFixture } from './aggregate-fixture.js';

describe('aggregateFixture', () => {
  const fixture = aggregateFixture(Account);

  it('passes when the command applies the expected events', async () => {
    const acc = await fixture
      .given(new AccountOpened('a'), new AccountCredited(100))
      .when((a) => a.debit(30))
      .then(new AccountDebited(30));
    expect(acc.balance).toBe(70);
    expect(acc.version).toBe(2);
  });

  it('fails when the events differ', async () => {
    await expect(
      fixture
        .given(new AccountOpened('a'), new AccountCredited(100))
        .when((a) => a.debit(30))
        .then(new AccountDebited(31)),
    ).rejects.toThrow(/other events than expected/);
  });

  it('thenThrows checks the error class', async () => {
    await fixture
      .given(new AccountOpened('a'))
      .when((a) => a.debit(1))
      .thenThrows(InsufficientFundsError, /balance 0/);
    await expect(
      fixture
        .given(new AccountOpened('a'))
        .when((a) => a.credit(1))
        .thenThrows(InsufficientFundsError),
    ).rejects.toThrow(/expected InsufficientFundsError, got no error/);
  });
});
