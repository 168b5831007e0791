import type { Cluster, Redis } from 'ioredis';
import { RedisLeaseBackend } from '../../workers/lease/redis-lease-backend.js';
import { OFFSET_SAVE_LUA } from './offset-save.lua.js';
import { assertOffset, type LeasingOffsetStore, parseStoredOffset } from './offset-store.js';

/**
 * Offsets in Redis, one string key per consumer (`<prefix><name>`), never moved back; the
 * lease of a consumer name is the key `<prefix><name>:lease`. The client is the caller's: this
 * store never closes it.
 */
export class RedisOffsetStore implements LeasingOffsetStore {
  private readonly leases: RedisLeaseBackend;

  constructor(
    private readonly client: Redis | Cluster,
    private readonly prefix = 'flux:feed-offset:',
  ) {
    this.leases = new RedisLeaseBackend(client);
  }

  async get(name: string): Promise<number> {
    const value = await this.client.get(this.key(name));
    return value === null ? 0 : parseStoredOffset(name, value);
  }

  /** Saves `position` unless a higher one is stored (an offset never moves back). */
  async save(name: string, position: number): Promise<void> {
    assertOffset(name, position);
    await this.client.eval(OFFSET_SAVE_LUA, 1, this.key(name), String(position));
  }

  acquireLease(name: string, token: string, ttlMs: number): Promise<boolean> {
    return this.leases.acquireLease(this.leaseKey(name), token, ttlMs);
  }

  renewLease(name: string, token: string, ttlMs: number): Promise<boolean> {
    return this.leases.renewLease(this.leaseKey(name), token, ttlMs);
  }

  releaseLease(name: string, token: string): Promise<void> {
    return this.leases.releaseLease(this.leaseKey(name), token);
  }

  leaseToken(name: string): Promise<string | null> {
    return this.leases.leaseToken(this.leaseKey(name));
  }

  private key(name: string): string {
    return `${this.prefix}${name}`;
  }

  /** Beside the offset key (and in its hash slot when the prefix carries a hash tag). */
  private leaseKey(name: string): string {
    return `${this.key(name)}:lease`;
  }
}
