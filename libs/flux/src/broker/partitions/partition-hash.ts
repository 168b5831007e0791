/** FNV-1a 32-bit offset basis. */
const FNV_OFFSET = 0x811c9dc5;
/** FNV-1a 32-bit prime. */
const FNV_PRIME = 0x01000193;

const utf8 = new TextEncoder();

/**
 * FNV-1a, 32 bits, over the UTF-8 bytes of `value`, as an unsigned integer. Chosen because it is
 * a few lines in any language (docs/partitions.md has Go and Python versions and test vectors),
 * so producers outside Node route a key to the same partition.
 */
export function fnv1a32(value: string): number {
  let hash = FNV_OFFSET;
  // ASCII fast path: the common case (ids, uuids) needs no encoded copy.
  let ascii = true;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code > 0x7f) {
      ascii = false;
      break;
    }
    hash = Math.imul(hash ^ code, FNV_PRIME);
  }
  if (ascii) return hash >>> 0;
  hash = FNV_OFFSET;
  for (const byte of utf8.encode(value)) hash = Math.imul(hash ^ byte, FNV_PRIME);
  return hash >>> 0;
}

/** The partition (0 … `partitions` − 1) of a partition key value: `fnv1a32(value) % partitions`. */
export function partitionOf(value: string, partitions: number): number {
  return fnv1a32(value) % partitions;
}
