import { Injectable, Logger } from '@nestjs/common';
import type { BalanceChange } from './balance.js';
import { BalancesStore } from './balances.store.js';

/** Where an event sits in the command service's log, whichever transport delivered it. */
export interface EventOrigin {
  accountId: string;
  version: number;
  position: number;
}

/** The balances projection: turns account events into balance changes, counting redeliveries. */
@Injectable()
export class BalancesProjection {
  private readonly logger = new Logger(BalancesProjection.name);
  applied = 0;
  duplicates = 0;

  constructor(private readonly store: BalancesStore) {}

  opened(origin: EventOrigin, owner: string): Promise<void> {
    return this.apply({ ...origin, delta: 0, owner });
  }

  credited(origin: EventOrigin, amount: number): Promise<void> {
    return this.apply({ ...origin, delta: amount });
  }

  debited(origin: EventOrigin, amount: number): Promise<void> {
    return this.apply({ ...origin, delta: -amount });
  }

  private async apply(change: BalanceChange): Promise<void> {
    const result = await this.store.apply(change);
    if (result === 'applied') {
      this.applied++;
    } else {
      this.duplicates++;
      this.logger.debug(`skipped ${change.accountId} v${change.version}: already applied`);
    }
  }
}
