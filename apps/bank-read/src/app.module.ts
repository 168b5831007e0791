import { type DynamicModule, Module } from '@nestjs/common';
import { FluxModule, type FluxModuleOptions } from 'nestjs-flux';
import { BalancesModule } from './balances/balances.module.js';
import { FollowingModule } from './following/following.module.js';
import { HealthController } from './health.controller.js';
import type { ReadConfig } from './read.config.js';
import { ACCOUNTS_STREAM, READ_CONFIG } from './read.constants.js';

export function fluxOptions(config: ReadConfig): FluxModuleOptions {
  return {
    ...(config.mode === 'stream' && {
      redis: { default: config.redisUrl! },
      streams: [ACCOUNTS_STREAM],
    }),
    keyPrefix: config.keyPrefix,
  };
}

/** The bank's read service: the balances projection, fed by the stream or by the feed. */
@Module({})
export class AppModule {
  static forRoot(config: ReadConfig): DynamicModule {
    const balances = BalancesModule.forRoot(config);
    return {
      module: AppModule,
      imports: [
        FluxModule.forRoot(fluxOptions(config)),
        balances,
        FollowingModule.forRoot(config, balances),
      ],
      controllers: [HealthController],
      providers: [{ provide: READ_CONFIG, useValue: config }],
    };
  }
}
