import type { Cluster, Redis } from 'ioredis';
import { assertOffset, type OffsetStore, parseStoredOffset } from './offset-store.js';

/**
 * Offsets in Redis, one string key per consumer (`<prefix><name>`), written with `SET`.
 * The client is the caller's: this store never closes it.
 */
export class RedisOffsetStore implements OffsetStore {
  constructor(
    private readonly client: Redis | Cluster,
    private readonly prefix = 'flux:feed-offset:',
  ) {}

  async get(name: string): Promise<number> {
    const value = await this.client.get(this.key(name));
    return value === null ? 0 : parseStoredOffset(name, value);
  }

  async save(name: string, position: number): Promise<void> {
    assertOffset(name, position);
    await this.client.set(this.key(name), String(position));
  }

  private key(name: string): string {
    return `${this.prefix}${name}`;
  }
}
