/**
 * A live process consuming a partitioned stream in one group, and its partition cap.
 * @internal
 */
export interface PartitionMember {
  name: string;
  /** At most this many partitions (`consumers` of `@StreamConsumer`). */
  cap: number;
}

/**
 * How many partitions each member should hold: dealt one by one in name order, skipping members
 * at their cap, so counts differ by at most one among uncapped members and every process
 * computes the same answer from the same member list. Partitions beyond the sum of the caps
 * are held by nobody (health reports them).
 * @internal
 */
export function partitionTargets(
  members: readonly PartitionMember[],
  partitions: number,
): Map<string, number> {
  const sorted = [...members].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const targets = new Map<string, number>(sorted.map((m) => [m.name, 0]));
  let left = partitions;
  while (left > 0) {
    let dealt = false;
    for (const member of sorted) {
      if (left === 0) break;
      const count = targets.get(member.name)!;
      if (count >= member.cap) continue;
      targets.set(member.name, count + 1);
      left--;
      dealt = true;
    }
    if (!dealt) break;
  }
  return targets;
}

/**
 * The order in which a member tries free partitions: starting at its share of the ring, so
 * members joining together rarely race for the same partition.
 * @internal
 */
export function preferredOrder(rank: number, members: number, partitions: number): number[] {
  const start = members === 0 ? 0 : Math.floor((rank * partitions) / members);
  return Array.from({ length: partitions }, (_, i) => (start + i) % partitions);
}
