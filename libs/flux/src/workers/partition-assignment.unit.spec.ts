import { describe, expect, it } from 'vitest';
import { partitionTargets, preferredOrder } from './partition-assignment.js';

const members = (...caps: number[]) => caps.map((cap, i) => ({ name: `m${i}`, cap }));

describe('partition targets', () => {
  it('spreads partitions evenly, the first members in name order taking the remainder', () => {
    expect([...partitionTargets(members(8, 8, 8), 8)]).toEqual([
      ['m0', 3],
      ['m1', 3],
      ['m2', 2],
    ]);
    expect([...partitionTargets(members(8), 8).values()]).toEqual([8]);
    expect([...partitionTargets(members(8, 8, 8, 8, 8, 8, 8, 8, 8), 8).values()]).toEqual([
      1, 1, 1, 1, 1, 1, 1, 1, 0,
    ]);
  });

  it('respects caps and leaves what no cap allows to nobody', () => {
    expect([...partitionTargets(members(1, 8), 8).values()]).toEqual([1, 7]);
    expect([...partitionTargets(members(2, 2), 8).values()]).toEqual([2, 2]);
  });

  it('is the same answer whatever the order the members are listed in', () => {
    const a = partitionTargets(members(3, 8, 2), 8);
    const b = partitionTargets(members(3, 8, 2).reverse(), 8);
    expect([...b].sort()).toEqual([...a].sort());
  });

  it('starts each member at its share of the ring', () => {
    expect(preferredOrder(0, 2, 4)).toEqual([0, 1, 2, 3]);
    expect(preferredOrder(1, 2, 4)).toEqual([2, 3, 0, 1]);
  });
});
