import { describe, expect, it } from 'vitest';
import { fnv1a32, partitionOf } from './partition-hash.js';

// The same vectors are in docs/partitions.md: a producer in another language must match them.
const VECTORS: [key: string, hash: number, of8: number, of3: number][] = [
  ['', 0x811c9dc5, 5, 1],
  ['a', 0xe40c292c, 4, 1],
  ['foobar', 0xbf9cf968, 0, 1],
  ['account-1', 0x3aa68c96, 6, 1],
  ['account-2', 0x39a68b03, 3, 2],
  ['order-42', 0x572446f4, 4, 2],
  ['6f1c2f0e-8b6a-4a63-9d8e-1f2a3b4c5d6e', 0xed47132f, 7, 2],
  ['zürich', 0xaeca5e40, 0, 0],
  ['東京', 0x68dea76f, 7, 1],
  ['😀', 0x33a29608, 0, 2],
];

describe('partition hash (FNV-1a 32 over UTF-8)', () => {
  it.each(VECTORS)('%j hashes to the documented value and partitions', (key, hash, of8, of3) => {
    expect(fnv1a32(key)).toBe(hash);
    expect(partitionOf(key, 8)).toBe(of8);
    expect(partitionOf(key, 3)).toBe(of3);
    expect(partitionOf(key, 1)).toBe(0);
  });

  it('spreads many keys over every partition', () => {
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 8000; i++) counts[partitionOf(`aggregate-${i}`, 8)]++;
    for (const n of counts) expect(n).toBeGreaterThan(800);
  });
});
