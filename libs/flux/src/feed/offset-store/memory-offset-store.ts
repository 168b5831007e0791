import { assertOffset, type LeasingOffsetStore } from './offset-store.js';

/**
 * Offsets in process memory: a restarted consumer starts from the beginning of the feed. Its
 * leases are in-process too: consumers sharing one instance follow a name one at a time.
 */
export class MemoryOffsetStore implements LeasingOffsetStore {
  private readonly offsets = new Map<string, number>();
  private readonly leases = new Map<string, { token: string; expiresAt: number }>();

  async get(name: string): Promise<number> {
    return this.offsets.get(name) ?? 0;
  }

  /** Saves `position` unless a higher one is stored (an offset never moves back). */
  async save(name: string, position: number): Promise<void> {
    assertOffset(name, position);
    this.offsets.set(name, Math.max(position, this.offsets.get(name) ?? 0));
  }

  async acquireLease(name: string, token: string, ttlMs: number): Promise<boolean> {
    if ((await this.leaseToken(name)) !== null) return false;
    this.leases.set(name, { token, expiresAt: Date.now() + ttlMs });
    return true;
  }

  async renewLease(name: string, token: string, ttlMs: number): Promise<boolean> {
    if ((await this.leaseToken(name)) !== token) return false;
    this.leases.set(name, { token, expiresAt: Date.now() + ttlMs });
    return true;
  }

  async releaseLease(name: string, token: string): Promise<void> {
    if ((await this.leaseToken(name)) === token) this.leases.delete(name);
  }

  async leaseToken(name: string): Promise<string | null> {
    const lease = this.leases.get(name);
    return lease && lease.expiresAt > Date.now() ? lease.token : null;
  }
}
