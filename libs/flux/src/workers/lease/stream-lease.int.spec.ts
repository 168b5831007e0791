import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { REDIS_URL, waitFor } from '../../broker/broker.spec-helpers.js';
import { leaseHolderOf, leaseKeyOf } from '../../broker/consume/lease-key.js';
import { RedisLeaseBackend } from './redis-lease-backend.js';
import { StreamLease } from './stream-lease.js';

const redis = new Redis(REDIS_URL);
const keys: string[] = [];
const newKey = () => {
  const key = `flux-test:${randomBytes(6).toString('hex')}:lease`;
  keys.push(key);
  return key;
};
const leases: StreamLease[] = [];
const lease = (key: string, holder: string, ttlMs = 10_000) => {
  const l = new StreamLease(new RedisLeaseBackend(redis), key, { ttlMs, holder });
  leases.push(l);
  return l;
};

afterEach(async () => {
  await Promise.all(leases.splice(0).map((l) => l.release().catch(() => undefined)));
});
afterAll(async () => {
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe('StreamLease', () => {
  it('has one holder at a time; a release lets the next one in at once', async () => {
    const key = newKey();
    const a = lease(key, 'a');
    const b = lease(key, 'b');
    expect(await a.acquire()).toBe(true);
    expect(await b.acquire()).toBe(false);
    expect(await b.holder()).toBe('a');
    expect(a.held && !b.held).toBe(true);
    await a.release();
    expect(await a.holder()).toBeNull();
    expect(await b.acquire()).toBe(true);
    expect(await a.holder()).toBe('b');
  });

  it('passes to another holder after its time-to-live when not renewed; the old one cannot renew', async () => {
    const key = newKey();
    const a = lease(key, 'a', 200);
    const b = lease(key, 'b', 200);
    expect(await a.acquire()).toBe(true);
    await waitFor(async () => await b.acquire(), 5_000);
    expect(a.held).toBe(false); // the local clock knows without asking Redis
    expect(await a.renew()).toBe(false);
    expect(await b.renew()).toBe(true);
    await a.release(); // a late release never frees the successor's lease
    expect(await b.holder()).toBe('b');
  });

  it('keeps the lease while renewing and reports a lease taken from it', async () => {
    const key = newKey();
    const a = lease(key, 'a', 300);
    expect(await a.acquire()).toBe(true);
    let lost = 0;
    a.keep(() => lost++);
    await new Promise((resolve) => setTimeout(resolve, 900)); // three times-to-live
    expect(lost).toBe(0);
    expect(await a.holder()).toBe('a');
    await redis.set(key, 'intruder#1', 'PX', 5_000); // as if it had expired and been taken
    await waitFor(() => lost === 1, 5_000);
    expect(a.held).toBe(false);
    expect(a.token).toBeUndefined();
  });

  it('uses a new fencing token for each acquisition', async () => {
    const key = newKey();
    const a = lease(key, 'a');
    await a.acquire();
    const first = a.token;
    await a.release();
    await a.acquire();
    expect(a.token).toMatch(/^a#[0-9a-f]{16}$/);
    expect(a.token).not.toBe(first);
  });
});

describe('lease keys', () => {
  it('start with the stream key, so they keep its prefix and hash tag', () => {
    expect(leaseKeyOf('app:{orders}', 'billing')).toBe('app:{orders}:lease:billing');
    expect(leaseKeyOf('orders', 'g')).toBe('{orders}:lease:g');
    expect(leaseHolderOf('single-host-1-ab#0011')).toBe('single-host-1-ab');
  });
});
