import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { REDIS_URL } from '../broker/broker.spec-helpers.js';
import { RelayLock } from './relay-lock.js';
import { freePort } from '../../../../test/support/free-port.js';
import { startRedisServer, stopRedisServer } from '../../../../test/support/redis-server.js';

/** The relay's leadership lock against the real Redis; the clock is moved by hand. */
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setup() {
  const redis = new Redis(REDIS_URL);
  const key = `flux-test:${randomBytes(6).toString('hex')}:lock`;
  cleanups.push(async () => {
    await redis.del(key);
    await redis.quit();
  });
  return { redis, key };
}

const TTL = 60_000;

describe('RelayLock', () => {
  it('is held by one instance at a time, with its token and the TTL', async () => {
    const { redis, key } = setup();
    const a = new RelayLock(redis, key, TTL);
    const b = new RelayLock(redis, key, TTL);
    expect(a.isHeld).toBe(false);
    expect(await a.hold()).toBe(true);
    expect(a.isHeld).toBe(true);
    expect(await redis.get(key)).toBe(a.token);
    expect(await redis.pttl(key)).toBeGreaterThan(TTL - 5_000);
    expect(await b.hold()).toBe(false);
    expect(b.isHeld).toBe(false);
    expect(a.token).not.toBe(b.token);
  });

  it('renews only once a third of the TTL has passed, and only while the token is its own', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.now();
    const { redis, key } = setup();
    const lock = new RelayLock(redis, key, TTL);
    expect(await lock.hold()).toBe(true);

    // Within a third of the TTL no round trip: a lock taken away meanwhile is not noticed.
    await redis.pexpire(key, 5_000);
    vi.setSystemTime(start + TTL / 3 - 1);
    expect(await lock.hold()).toBe(true);
    expect(await redis.pttl(key)).toBeLessThanOrEqual(5_000);

    // From a third of the TTL on, it renews to the full TTL.
    vi.setSystemTime(start + TTL / 3);
    expect(await lock.hold()).toBe(true);
    expect(await redis.pttl(key)).toBeGreaterThan(TTL - 5_000);

    // The renewal restarts the third: not renewed again right after.
    await redis.pexpire(key, 5_000);
    vi.setSystemTime(start + TTL / 3 + TTL / 3 - 1);
    expect(await lock.hold()).toBe(true);
    expect(await redis.pttl(key)).toBeLessThanOrEqual(5_000);

    // Another instance took the key: the renewal fails and leaves that instance's token alone.
    await redis.set(key, 'someone-else', 'PX', 5_000);
    vi.setSystemTime(start + TTL);
    expect(await lock.hold()).toBe(false);
    expect(lock.isHeld).toBe(false);
    expect(await redis.get(key)).toBe('someone-else');
    expect(await redis.pttl(key)).toBeLessThanOrEqual(5_000);
  });

  it('does not renew a lock that expired: it acquires it again only when free', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.now();
    const { redis, key } = setup();
    const lock = new RelayLock(redis, key, TTL);
    expect(await lock.hold()).toBe(true);
    await redis.del(key); // expired
    vi.setSystemTime(start + TTL / 3);
    // An expired lock is not renewed (EXTEND finds no token): leadership is lost for this round.
    expect(await lock.hold()).toBe(false);
    expect(await redis.exists(key)).toBe(0);
    // The next round acquires it again.
    expect(await lock.hold()).toBe(true);
    expect(await redis.get(key)).toBe(lock.token);
  });

  it('asks Redis again after markLost', async () => {
    const { redis, key } = setup();
    const a = new RelayLock(redis, key, TTL);
    const b = new RelayLock(redis, key, TTL);
    expect(await a.hold()).toBe(true);
    await redis.set(key, b.token, 'PX', TTL); // b took over while a was not looking
    a.markLost();
    expect(a.isHeld).toBe(false);
    expect(await a.hold()).toBe(false);
    expect(await redis.get(key)).toBe(b.token);
  });

  it('releases its own lock so another instance takes over at once, and never another token', async () => {
    const { redis, key } = setup();
    const a = new RelayLock(redis, key, TTL);
    const b = new RelayLock(redis, key, TTL);
    expect(await a.hold()).toBe(true);
    await a.release();
    expect(a.isHeld).toBe(false);
    expect(await redis.exists(key)).toBe(0);
    expect(await b.hold()).toBe(true);
    await a.release(); // not held: nothing to do
    expect(await redis.get(key)).toBe(b.token);

    // An instance that believes it leads while b holds the key leaves b's lock alone.
    await redis.del(key);
    const holder = new RelayLock(redis, key, TTL);
    expect(await holder.hold()).toBe(true);
    await redis.set(key, b.token, 'PX', TTL);
    await holder.release();
    expect(await redis.get(key)).toBe(b.token);
  });

  it('does not wait for an unreachable Redis to release: the lock expires there', async () => {
    const port = await freePort();
    const server = await startRedisServer(port);
    // Reconnects forever, queueing commands meanwhile, as a pool client does.
    const redis = new Redis({ port, retryStrategy: () => 100, maxRetriesPerRequest: null });
    redis.on('error', () => undefined);
    cleanups.push(async () => {
      redis.disconnect();
      await stopRedisServer(server);
    });
    const lock = new RelayLock(redis, 'lock', TTL);
    expect(await lock.hold()).toBe(true);
    await stopRedisServer(server);
    await new Promise<void>((resolve) => {
      if (redis.status !== 'ready') resolve();
      else redis.once('close', () => resolve());
    });
    // A queued EVAL would wait for a server that never comes back: release returns at once.
    const released = await Promise.race([
      lock.release().then(() => 'released'),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 5_000).unref()),
    ]);
    expect(released).toBe('released');
    expect(lock.isHeld).toBe(false);
  });
});
