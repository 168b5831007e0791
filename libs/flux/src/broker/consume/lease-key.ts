import { partitionSideKey } from '../partitions/partition-keys.js';

/**
 * The Redis key of the single-mode lease of `group` on the stream (or partition) stored at
 * `streamKey`: `{<streamKey>}:lease:<group>`. `{K}:…` hashes like `K` when K has no braces (a key
 * with a hash tag keeps its own), so on a Redis Cluster the lease shares the stream's slot and one
 * script or transaction may check the lease and touch the stream. It starts with the global
 * `keyPrefix` inside the braces, so key scans by prefix must match `{<prefix>*` too.
 */
export function leaseKeyOf(streamKey: string, group: string): string {
  return partitionSideKey(streamKey, `lease:${group}`);
}

/**
 * Separates the holder from the random part of a lease token; never in a hostname.
 * @internal
 */
export const LEASE_TOKEN_SEPARATOR = '#';

/** The holder named in a lease value (`<holder>#<random>`), or the value itself. */
export function leaseHolderOf(value: string): string {
  const at = value.lastIndexOf(LEASE_TOKEN_SEPARATOR);
  return at === -1 ? value : value.slice(0, at);
}
