import type { Logger } from '@nestjs/common';
import { standbyPollMs, type StreamLease } from './stream-lease.js';

/**
 * The single-mode lease of one worker's group: taken before reading, kept renewed while the
 * worker reads, given back on shutdown. A stand-by asks again every `standbyPollMs`; losing
 * the lease (found taken at a renewal, or not renewed in time) calls the worker back.
 * @internal
 */
export class GroupLease {
  /** `undefined` until the first attempt. */
  state: 'held' | 'standby' | undefined;
  readonly standbyPollMs: number;

  constructor(
    readonly lease: StreamLease,
    ttlMs: number,
    private readonly label: string,
    private readonly logger: Logger,
  ) {
    this.standbyPollMs = standbyPollMs(ttlMs);
  }

  /**
   * Resolves true when this worker holds the lease (taking it if free), false when another
   * replica does. A Redis failure rejects (the worker's outage handling retries). `onLost`
   * runs once when a held lease is lost.
   */
  async hold(onLost: () => void): Promise<boolean> {
    if (this.lease.held) return true;
    if (this.state === 'held') this.markLost('not renewed in time');
    const acquired = await this.lease.acquire();
    if (!acquired) {
      this.state = 'standby';
      return false;
    }
    this.state = 'held';
    this.logger.log(`Holding the lease of ${this.label}: this replica reads it now.`);
    this.lease.keep(() => {
      this.markLost('taken by another replica or expired');
      onLost();
    });
    return true;
  }

  /** The worker was refused a read or an ack: the lease passed to another replica. */
  lost(): void {
    if (this.state === 'held') this.markLost('refused by Redis (fenced)');
    void this.lease.release().catch(() => undefined); // stops renewing; the token is not ours
  }

  /** Gives the lease back so a stand-by takes over at once. */
  async release(): Promise<void> {
    await this.lease.release();
    this.state = undefined;
  }

  private markLost(why: string): void {
    if (this.state !== 'held') return;
    this.state = 'standby';
    this.logger.warn(`Lost the lease of ${this.label} (${why}); standing by.`);
  }
}
