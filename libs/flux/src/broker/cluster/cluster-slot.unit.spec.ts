import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';
import { clusterSlot, sameSlotKey } from './cluster-slot.js';

describe('clusterSlot', () => {
  it('matches the slots Redis Cluster computes (values from CLUSTER KEYSLOT)', () => {
    expect(clusterSlot('foo')).toBe(12182);
    expect(clusterSlot('bar')).toBe(5061);
    expect(clusterSlot('hello')).toBe(866);
    expect(clusterSlot('orders')).toBe(105);
  });

  it('hashes only the hash tag when there is a non-empty one', () => {
    expect(clusterSlot('{user1000}.following')).toBe(clusterSlot('user1000'));
    expect(clusterSlot('x{y}z')).toBe(clusterSlot('y'));
    expect(clusterSlot('a{}b')).toBe(13694); // empty tag: the whole key
  });
});

describe('sameSlotKey', () => {
  it('co-locates a derived key with the key it derives from', () => {
    for (const key of ['orders', 'flux-test:abc:orders', 'app{tenant}:orders']) {
      const derived = sameSlotKey(key, ':dead');
      expect(derived.endsWith(':dead')).toBe(true);
      expect(clusterSlot(derived)).toBe(clusterSlot(key));
    }
    expect(sameSlotKey('orders', ':lease')).toBe('{orders}:lease');
  });

  it('refuses keys whose braces Redis would not read as a tag', () => {
    expect(() => sameSlotKey('a}b', ':x')).toThrow(InvalidArgumentError);
    expect(() => sameSlotKey('a{}b', ':x')).toThrow(/hash tag/);
  });
});
