import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { CqrsModule, EventBus, EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { describe, expect, it } from 'vitest';
import type { AggregateRepository } from '../event-sourcing/aggregate-repository.js';
import {
  Account,
  AccountCredited,
  AccountOpened,
} from '../event-sourcing/fixtures/account.fixture.js';
import { EventStore } from '../event-store/event-store.js';
import { SavedEventsBus } from '../event-sourcing/saved-events-bus.js';
import { FluxModule } from '../module/flux.module.js';
import { getAggregateRepositoryToken } from '../module/inject-aggregate-repository.decorator.js';

@Injectable()
@EventsHandler(AccountCredited)
class CreditedHandler implements IEventHandler<AccountCredited> {
  readonly seen: AccountCredited[] = [];
  handle(event: AccountCredited) {
    this.seen.push(event);
  }
}

describe('@nestjs/cqrs interop', () => {
  it('publishes saved events on the EventBus to @EventsHandler classes', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        CqrsModule.forRoot(),
        FluxModule.forRoot({}),
        FluxModule.forFeature({ aggregates: [Account] }),
      ],
      providers: [CreditedHandler],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      const accounts = app.get<AggregateRepository<Account>>(getAggregateRepositoryToken(Account));
      const account = accounts.create('cq-1');
      account.open('x');
      account.credit(25);
      expect(app.get(CreditedHandler).seen).toEqual([]); // nothing before the save commits
      await accounts.save(account);
      const handler = app.get(CreditedHandler);
      await expect.poll(() => handler.seen.length, { timeout: 20_000 }).toBe(1);
      expect(handler.seen[0]).toBeInstanceOf(AccountCredited);
      expect(handler.seen[0].cents).toBe(25);
      expect(handler.seen.some((e) => (e as object) instanceof AccountOpened)).toBe(false);
    } finally {
      await app.close();
    }
  });

  it('does nothing without CqrsModule', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [FluxModule.forRoot({}), FluxModule.forFeature({ aggregates: [Account] })],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      expect(() => app.get(EventBus, { strict: false })).toThrow();
      // The bridge subscribed nothing: a save reaches the store and no listener.
      expect(app.get(SavedEventsBus).all).toEqual([]);
      const accounts = app.get<AggregateRepository<Account>>(getAggregateRepositoryToken(Account));
      const account = accounts.create('cq-2');
      account.open('y');
      await expect(accounts.save(account)).resolves.toBeUndefined();
      const stored = await app.get(EventStore).readStream('cq-2');
      expect(stored.map((e) => [e.type, e.version])).toEqual([['AccountOpened', 1]]);
    } finally {
      await app.close();
    }
  });
});
