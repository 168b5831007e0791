import type { Logger } from '@nestjs/common';
import { describeError } from './dead-letter.js';

/**
 * Read health of one worker. Logs an outage once when it starts and once when reads work again,
 * not on every retry, so a Redis restart is two log lines rather than hundreds.
 * @internal
 */
export class ConnectionWatch {
  connected = true;
  lastReadAt: Date | undefined;
  lastError: string | undefined;
  private outage?: { since: number; attempts: number };

  constructor(
    private readonly label: string,
    private readonly logger: Logger,
  ) {}

  readSucceeded(): void {
    this.lastReadAt = new Date();
    this.connected = true;
    this.lastError = undefined;
    if (!this.outage) return;
    const seconds = ((Date.now() - this.outage.since) / 1000).toFixed(1);
    this.logger.log(`Reading ${this.label} again after ${seconds}s without Redis.`);
    this.outage = undefined;
  }

  /** Records a failed read or connection attempt; returns the number of the attempt in this outage. */
  readFailed(error: unknown, consumer: string | undefined): number {
    this.connected = false;
    this.lastError = describeError(error);
    if (!this.outage) {
      this.outage = { since: Date.now(), attempts: 0 };
      this.logger.error(
        `Cannot read ${this.label}${consumer ? ` as "${consumer}"` : ''}: ${this.lastError}. ` +
          `Retrying with backoff until Redis answers again.`,
      );
    }
    return ++this.outage.attempts;
  }
}
