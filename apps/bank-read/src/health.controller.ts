import { Controller, Get, Inject } from '@nestjs/common';
import { FeedSubscribers, StreamWorkers } from 'nestjs-flux';
import { BalancesProjection } from './balances/balances.projection.js';
import { BalancesStore } from './balances/balances.store.js';
import { READ_CONFIG } from './read.constants.js';
import type { ReadConfig } from './read.config.js';

export interface ReadHealth {
  status: 'ok';
  mode: ReadConfig['mode'];
  accounts: number;
  /** Position of the newest event applied: compare with the command side's feed to see lag. */
  lastPosition: number;
  applied: number;
  /** Redeliveries skipped since start-up. */
  duplicates: number;
  /** The library's view of the transport: the feed consumer's offset, or the stream worker's state. */
  transport: unknown;
}

@Controller('health')
export class HealthController {
  constructor(
    @Inject(READ_CONFIG) private readonly config: ReadConfig,
    private readonly store: BalancesStore,
    private readonly projection: BalancesProjection,
    private readonly feedSubscribers: FeedSubscribers,
    private readonly streamWorkers: StreamWorkers,
  ) {}

  @Get()
  async health(): Promise<ReadHealth> {
    const [accounts, lastPosition] = await Promise.all([
      this.store.count(),
      this.store.lastPosition(),
    ]);
    const { applied, duplicates } = this.projection;
    const transport =
      this.config.mode === 'feed' ? this.feedSubscribers.status() : this.streamWorkers.status();
    return {
      status: 'ok',
      mode: this.config.mode,
      accounts,
      lastPosition,
      applied,
      duplicates,
      transport,
    };
  }
}
