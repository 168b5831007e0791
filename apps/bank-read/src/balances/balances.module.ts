import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { ReadConfig } from '../read.config.js';
import { BalancesController } from './balances.controller.js';
import { BalancesProjection } from './balances.projection.js';
import { BalancesStore } from './balances.store.js';
import { MemoryBalancesStore } from './memory-balances.store.js';
import { MysqlBalancesStore } from './mysql-balances.store.js';

/** The projection and its storage: MySQL when `MYSQL_URL` is set, memory otherwise. */
@Module({})
export class BalancesModule implements OnApplicationShutdown {
  constructor(@Inject(BalancesStore) private readonly store: BalancesStore) {}

  static forRoot(config: ReadConfig): DynamicModule {
    return {
      module: BalancesModule,
      controllers: [BalancesController],
      providers: [
        {
          provide: BalancesStore,
          useFactory: () =>
            config.mysqlUrl
              ? MysqlBalancesStore.create(config.mysqlUrl, config.tablePrefix)
              : new MemoryBalancesStore(),
        },
        BalancesProjection,
      ],
      exports: [BalancesStore, BalancesProjection],
    };
  }

  /** After the consumers stopped (they stop before shutdown), so no apply is cut short. */
  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
