/**
 * Where leases live: one holder token per key, with an expiry kept by the backend's clock.
 * Implemented on Redis (`RedisLeaseBackend`) and by the offset stores (a feed consumer's lease
 * lives beside its offset). Every operation is atomic in the backend.
 */
export interface LeaseBackend {
  /** Sets `key` to `token` for `ttlMs` if nobody holds it (or it expired); true when set. */
  acquireLease(key: string, token: string, ttlMs: number): Promise<boolean>;
  /** Extends `key` by `ttlMs` only while it holds `token`; true when extended. */
  renewLease(key: string, token: string, ttlMs: number): Promise<boolean>;
  /** Frees `key` only while it holds `token`. */
  releaseLease(key: string, token: string): Promise<void>;
  /** The token `key` holds now, or null when free. */
  leaseToken(key: string): Promise<string | null>;
}
