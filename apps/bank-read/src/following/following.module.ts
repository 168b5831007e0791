import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { MemoryOffsetStore, MysqlOffsetStore } from 'nestjs-flux';
import { BalancesStore } from '../balances/balances.store.js';
import { MysqlBalancesStore } from '../balances/mysql-balances.store.js';
import type { ReadConfig } from '../read.config.js';
import { balancesFeedSubscriber, FEED_OFFSET_STORE } from './balances.feed-subscriber.js';
import { BalancesStreamConsumer } from './balances.stream-consumer.js';

/**
 * How the projection is fed: only the chosen transport is registered, so stream mode opens no
 * feed connection and feed mode needs no Redis.
 */
@Module({})
export class FollowingModule {
  static forRoot(config: ReadConfig, balances: DynamicModule): DynamicModule {
    const providers: Provider[] =
      config.mode === 'stream'
        ? [BalancesStreamConsumer]
        : [
            balancesFeedSubscriber(config),
            {
              provide: FEED_OFFSET_STORE,
              // Beside the balances in MySQL; in memory both restart from zero together.
              useFactory: (store: BalancesStore) =>
                store instanceof MysqlBalancesStore
                  ? new MysqlOffsetStore(store.pool, `${config.tablePrefix}feed_offsets`)
                  : new MemoryOffsetStore(),
              inject: [BalancesStore],
            },
          ];
    return { module: FollowingModule, imports: [balances], providers };
  }
}
