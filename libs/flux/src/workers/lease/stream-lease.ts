import { randomBytes } from 'node:crypto';
import { leaseHolderOf, LEASE_TOKEN_SEPARATOR } from '../../broker/consume/lease-key.js';
import type { LeaseBackend } from './lease-backend.js';

/** How often a stand-by asks for a free lease, at most: how soon a graceful release is seen. */
const MAX_STANDBY_POLL_MS = 100;

/**
 * A stand-by's polling interval for a lease of `ttlMs`: 100 ms, or a quarter of a short TTL.
 * @internal
 */
export function standbyPollMs(ttlMs: number): number {
  return Math.max(10, Math.min(MAX_STANDBY_POLL_MS, Math.floor(ttlMs / 4)));
}

/** Options of a {@link StreamLease}. */
export interface StreamLeaseOptions {
  /** Time-to-live of the lease in ms: how long a crashed holder keeps it. */
  ttlMs: number;
  /** Who holds it when this instance does (shown in statistics), e.g. the consumer name. */
  holder: string;
  /** Renewals per time-to-live while kept; default 3 (two may fail before it expires). */
  renewalsPerTtl?: number;
}

/**
 * A lease on one key: at most one holder at a time among every process using the key. Taken
 * when free (Redis: `SET NX PX`), renewed and released by compare-and-set on a token that is new
 * for each acquisition (the fencing token: a script that writes on the holder's behalf checks that
 * the key still holds it). A holder that stops renewing (crash, pause, lost connection) loses
 * the lease after `ttlMs`.
 *
 * `held` is the local view: the token is set and less than `ttlMs` passed since the last
 * acquisition or renewal was *sent*, so a paused process knows its lease is gone as soon as it
 * runs again, before any reply arrives.
 */
export class StreamLease {
  private current?: string;
  private validUntil = 0;
  private timer?: NodeJS.Timeout;
  private renewing = false;

  constructor(
    private readonly backend: LeaseBackend,
    /** The key in the backend; see `leaseKeyOf` for keys beside a stream. */
    readonly key: string,
    private readonly options: StreamLeaseOptions,
  ) {}

  /** The fencing token of the current acquisition; undefined when not held. */
  get token(): string | undefined {
    return this.held ? this.current : undefined;
  }

  /** Held, by the local clock (see the class comment). */
  get held(): boolean {
    return this.current !== undefined && Date.now() < this.validUntil;
  }

  /** Takes the lease if it is free. Resolves true when this instance holds it now. */
  async acquire(): Promise<boolean> {
    if (this.held) return true;
    const token = `${this.options.holder}${LEASE_TOKEN_SEPARATOR}${randomBytes(8).toString('hex')}`;
    const sentAt = Date.now();
    if (!(await this.backend.acquireLease(this.key, token, this.options.ttlMs))) return false;
    this.current = token;
    this.validUntil = sentAt + this.options.ttlMs;
    return true;
  }

  /** Extends the lease; resolves false (and forgets the token) when it was lost. */
  async renew(): Promise<boolean> {
    const token = this.current;
    if (token === undefined) return false;
    const sentAt = Date.now();
    const extended = await this.backend.renewLease(this.key, token, this.options.ttlMs);
    if (this.current !== token) return false; // released or lost meanwhile
    if (extended) {
      this.validUntil = sentAt + this.options.ttlMs;
      return true;
    }
    this.forget();
    return false;
  }

  /**
   * Renews every `ttlMs / renewalsPerTtl` until released; calls `onLost` once when a renewal
   * finds the lease taken or gone, or when none succeeded in time (Redis unreachable).
   */
  keep(onLost: () => void): void {
    clearInterval(this.timer);
    const every = Math.max(1, Math.floor(this.options.ttlMs / (this.options.renewalsPerTtl ?? 3)));
    const lost = () => {
      clearInterval(this.timer);
      this.timer = undefined;
      this.forget();
      onLost();
    };
    this.timer = setInterval(() => {
      if (this.renewing) return;
      if (!this.held) return lost();
      this.renewing = true;
      this.renew()
        .then((kept) => !kept && this.timer && lost())
        .catch(() => (this.held ? undefined : lost())) // retried at the next tick until it expires
        .finally(() => (this.renewing = false));
    }, every);
    this.timer.unref();
  }

  /** Stops renewing and frees the lease if still held, so a stand-by takes over at once. */
  async release(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    const token = this.current;
    this.forget();
    if (token !== undefined) await this.backend.releaseLease(this.key, token);
  }

  /** The holder named in the key (any process), or null when nobody holds it. */
  async holder(): Promise<string | null> {
    const value = await this.backend.leaseToken(this.key);
    return value === null ? null : leaseHolderOf(value);
  }

  private forget(): void {
    this.current = undefined;
    this.validUntil = 0;
  }
}
