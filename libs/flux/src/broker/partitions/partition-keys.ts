/**
 * Redis key of partition `partition` of a stream whose key is `streamKey`: `<key>:p<n>`.
 * Without braces in the stream name every partition hashes to its own Cluster slot, so the
 * partitions of one stream spread over the masters.
 */
export function partitionStreamKey(streamKey: string, partition: number): string {
  return `${streamKey}:p${partition}`;
}

/**
 * The key holding a partitioned stream's partition count (a plain string), checked at bootstrap
 * so that two deployments never route one key to two different partitions.
 * @internal
 */
export function partitionCountKey(streamKey: string): string {
  return `${streamKey}:partitions`;
}

/**
 * A key that shares the Cluster slot of the partition stream `partitionKey`: `{<partitionKey>}:
 * <suffix>`. `{K}:…` hashes like `K` when K has no braces, so a script may touch both.
 * @internal
 */
export function partitionSideKey(partitionKey: string, suffix: string): string {
  // A key that already has a hash tag keeps it: wrapping it again would change the slot.
  return hasHashTag(partitionKey) ? `${partitionKey}:${suffix}` : `{${partitionKey}}:${suffix}`;
}

/** Whether Redis Cluster hashes `key` by a `{…}` part (a non-empty one) rather than whole. */
function hasHashTag(key: string): boolean {
  const open = key.indexOf('{');
  if (open < 0) return false;
  const close = key.indexOf('}', open + 1);
  return close > open + 1;
}

/**
 * The lease of `group` on one partition (value: the holding consumer's name), in the partition's
 * slot so that one script may check it and ack on the partition together.
 * @internal
 */
export function partitionLeaseKey(partitionKey: string, group: string): string {
  return partitionSideKey(partitionKey, `lease:${group}`); // the same key as `leaseKeyOf`
}
