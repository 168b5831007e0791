import { EventHandler, StreamConsumer, type StreamEvent } from 'nestjs-flux';
import { BalancesProjection } from '../balances/balances.projection.js';
import { AccountCredited, AccountDebited, AccountOpened } from '../events/index.js';
import { ACCOUNTS_STREAM, READ_GROUP } from '../read.constants.js';
import { streamOrigin } from './event-origin.js';

/** Stream mode: one ordered consumer of the relay's stream, so versions arrive in order. */
@StreamConsumer(ACCOUNTS_STREAM, { group: READ_GROUP, mode: 'single' })
export class BalancesStreamConsumer {
  constructor(private readonly projection: BalancesProjection) {}

  @EventHandler(AccountOpened)
  opened(event: AccountOpened, msg: StreamEvent): Promise<void> {
    return this.projection.opened(streamOrigin(msg), event.owner);
  }

  @EventHandler(AccountCredited)
  credited(event: AccountCredited, msg: StreamEvent): Promise<void> {
    return this.projection.credited(streamOrigin(msg), event.amount);
  }

  @EventHandler(AccountDebited)
  debited(event: AccountDebited, msg: StreamEvent): Promise<void> {
    return this.projection.debited(streamOrigin(msg), event.amount);
  }
}
