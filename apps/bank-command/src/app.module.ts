import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { FluxModule, type FluxModuleOptions } from 'nestjs-flux';
import { Account } from './account.aggregate.js';
import { AccountsController } from './accounts.controller.js';
import { type CommandConfig, eventStoreOptions } from './command.config.js';
import { COMMAND_HANDLERS } from './commands/index.js';
import { OpsModule } from './ops/ops.module.js';

/** The stream the account aggregate publishes to; the read service's stream mode follows it. */
export const ACCOUNTS_STREAM = 'bank-accounts';

export function fluxOptions(config: CommandConfig): FluxModuleOptions {
  return {
    eventStore: eventStoreOptions(config.eventStoreUrl, config.tablePrefix),
    // Without Redis the stream stays unregistered: there is no pool for it, and no relay runs.
    ...(config.redisUrl && { redis: { default: config.redisUrl }, streams: [ACCOUNTS_STREAM] }),
    keyPrefix: config.keyPrefix,
    feed: {},
  };
}

/** The bank's command service: accounts, their REST commands and the `/events` feed. */
@Module({})
export class AppModule {
  static forRoot(config: CommandConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CqrsModule.forRoot(),
        FluxModule.forRoot(fluxOptions(config)),
        FluxModule.forFeature({ aggregates: [Account] }),
        OpsModule.forRoot({ withRedis: Boolean(config.redisUrl) }),
      ],
      controllers: [AccountsController],
      providers: [...COMMAND_HANDLERS],
    };
  }
}
