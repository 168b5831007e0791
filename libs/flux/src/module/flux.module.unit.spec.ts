import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { AggregateRepository } from '../event-sourcing/aggregate-repository.js';
import { Account } from '../event-sourcing/fixtures/account.fixture.js';
import { EventStore } from '../event-store/event-store.js';
import { MemoryEventStore } from '../event-store/memory/memory-event-store.js';
import { FluxModule } from './flux.module.js';
import { InjectAggregateRepository } from './inject-aggregate-repository.decorator.js';

@Injectable()
class AccountService {
  constructor(
    @InjectAggregateRepository(Account) readonly accounts: AggregateRepository<Account>,
  ) {}
}

@Module({
  imports: [FluxModule.forFeature({ aggregates: [Account] })],
  providers: [AccountService],
})
class AccountsModule {}

const apps: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function bootstrap(root: any) {
  const moduleRef = await Test.createTestingModule({ imports: [root, AccountsModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  apps.push(app);
  return app;
}

describe('FluxModule', () => {
  it('forRoot provides the memory store by default and repositories through forFeature', async () => {
    const app = await bootstrap(FluxModule.forRoot({}));
    expect(app.get(EventStore)).toBeInstanceOf(MemoryEventStore);
    const { accounts } = app.get(AccountService);
    const acc = accounts.create('m1');
    acc.open('nest');
    await accounts.save(acc);
    expect((await accounts.load('m1')).owner).toBe('nest');
  });

  it('forRootAsync works with ConfigService', async () => {
    const app = await bootstrap(
      FluxModule.forRootAsync({
        imports: [
          ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ FLUX_STORE: 'memory' })] }),
        ],
        inject: [ConfigService],
        useFactory: (config: ConfigService) => ({
          eventStore: { type: config.getOrThrow<'memory'>('FLUX_STORE') },
        }),
      }),
    );
    expect(app.get(EventStore)).toBeInstanceOf(MemoryEventStore);
  });

  it('two apps in one process share no state', async () => {
    const a = await bootstrap(FluxModule.forRoot({}));
    const b = await bootstrap(FluxModule.forRoot({}));
    expect(a.get(EventStore)).not.toBe(b.get(EventStore));
    const repoA = a.get(AccountService).accounts;
    const acc = repoA.create('only-in-a');
    acc.open('a');
    await repoA.save(acc);
    expect(await b.get(AccountService).accounts.find('only-in-a')).toBeNull();
  });

  it('rejects an unknown store type with a clear error', async () => {
    await expect(
      bootstrap(FluxModule.forRoot({ eventStore: { type: 'sqlite' } as any })),
    ).rejects.toThrow(/Unknown eventStore.type "sqlite"/);
  });
});
