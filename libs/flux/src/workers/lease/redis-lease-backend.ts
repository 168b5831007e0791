import type { Cluster, Redis } from 'ioredis';
import type { LeaseBackend } from './lease-backend.js';
import { LEASE_RELEASE_LUA, LEASE_RENEW_LUA } from './lease.lua.js';

/** Leases as Redis string keys: `SET NX PX` to take, compare-and-set scripts to renew and free. */
export class RedisLeaseBackend implements LeaseBackend {
  constructor(private readonly client: Redis | Cluster) {}

  async acquireLease(key: string, token: string, ttlMs: number): Promise<boolean> {
    return (await this.client.set(key, token, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async renewLease(key: string, token: string, ttlMs: number): Promise<boolean> {
    return (await this.client.eval(LEASE_RENEW_LUA, 1, key, token, ttlMs)) === 1;
  }

  async releaseLease(key: string, token: string): Promise<void> {
    await this.client.eval(LEASE_RELEASE_LUA, 1, key, token);
  }

  leaseToken(key: string): Promise<string | null> {
    return this.client.get(key);
  }
}
