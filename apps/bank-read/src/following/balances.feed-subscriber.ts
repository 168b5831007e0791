import { EventHandler, type FeedEvent, FeedSubscriber } from 'nestjs-flux';
import { BalancesProjection } from '../balances/balances.projection.js';
import { AccountCredited, AccountDebited, AccountOpened } from '../events/index.js';
import type { ReadConfig } from '../read.config.js';
import { feedOrigin } from './event-origin.js';

/** Injection token of the feed subscriber's `OffsetStore`. */
export const FEED_OFFSET_STORE = 'bank-read:feed-offset-store';

/**
 * Feed mode: follows `<COMMAND_URL>/events`. A class per configuration because the decorator
 * takes the URL, which only the environment knows.
 */
export function balancesFeedSubscriber(config: ReadConfig) {
  @FeedSubscriber(`${config.commandUrl}/events`, {
    name: 'bank-read-balances',
    interval: config.feedInterval,
    offsetStore: FEED_OFFSET_STORE,
  })
  class BalancesFeedSubscriber {
    constructor(readonly projection: BalancesProjection) {}

    @EventHandler(AccountOpened)
    opened(event: AccountOpened, feedEvent: FeedEvent): Promise<void> {
      return this.projection.opened(feedOrigin(feedEvent), event.owner);
    }

    @EventHandler(AccountCredited)
    credited(event: AccountCredited, feedEvent: FeedEvent): Promise<void> {
      return this.projection.credited(feedOrigin(feedEvent), event.amount);
    }

    @EventHandler(AccountDebited)
    debited(event: AccountDebited, feedEvent: FeedEvent): Promise<void> {
      return this.projection.debited(feedOrigin(feedEvent), event.amount);
    }
  }
  return BalancesFeedSubscriber;
}
