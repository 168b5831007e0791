import { randomUUID } from 'node:crypto';
import type { PoolClient } from '../broker/pools/redis-pools.js';

// Compare-and-act scripts: only the holder of the token may extend or release the lock.
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * Leadership among the instances of one service: one relay publishes at a time. The holder renews
 * at a third of the TTL; an instance that dies loses the lock after the TTL and another takes over
 * from the shared checkpoint.
 * @internal
 */
export class RelayLock {
  readonly token = randomUUID();
  private renewedAt = 0;
  private held = false;

  constructor(
    private readonly redis: PoolClient,
    readonly key: string,
    readonly ttlMs: number,
  ) {}

  /** Called when a lock-checked write found the lock gone: the next `hold()` asks Redis. */
  markLost(): void {
    this.held = false;
  }

  get isHeld(): boolean {
    return this.held;
  }

  /** True while this instance leads; acquires or renews as needed (one round trip at most). */
  async hold(): Promise<boolean> {
    const now = Date.now();
    if (this.held && now - this.renewedAt < this.ttlMs / 3) return true;
    const ok = this.held
      ? (await this.redis.eval(EXTEND, 1, this.key, this.token, this.ttlMs)) === 1
      : (await this.redis.set(this.key, this.token, 'PX', this.ttlMs, 'NX')) === 'OK';
    this.held = ok;
    if (ok) this.renewedAt = now;
    return ok;
  }

  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    // Unreachable Redis: let the lock expire rather than wait on a queued command at shutdown.
    if (this.redis.status !== 'ready') return;
    await this.redis.eval(RELEASE, 1, this.key, this.token).catch(() => undefined);
  }
}
