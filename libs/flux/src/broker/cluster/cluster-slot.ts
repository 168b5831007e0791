import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';

/**
 * Number of hash slots of a Redis Cluster.
 * @internal
 */
export const CLUSTER_SLOTS = 16384;

const TABLE = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let crc = i << 8;
  for (let bit = 0; bit < 8; bit++)
    crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  TABLE[i] = crc;
}

/**
 * The hash slot of a key, as Redis Cluster computes it: CRC16 (XMODEM) of the key, or of its
 * hash tag — the text between the first `{` and the next `}` when that is not empty — modulo
 * 16384. Keys sharing a hash tag share a slot, which is what lets one script touch them all.
 * @internal
 */
export function clusterSlot(key: string | Buffer): number {
  const bytes = typeof key === 'string' ? Buffer.from(key) : key;
  let start = 0;
  let end = bytes.length;
  const open = bytes.indexOf(0x7b);
  if (open !== -1) {
    const close = bytes.indexOf(0x7d, open + 1);
    if (close > open + 1) {
      start = open + 1;
      end = close;
    }
  }
  let crc = 0;
  for (let i = start; i < end; i++)
    crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ bytes[i]) & 0xff];
  return crc % CLUSTER_SLOTS;
}

/** The hash tag of a key as Redis reads it, or undefined when the whole key is hashed. */
function hashTag(key: string): string | undefined {
  const open = key.indexOf('{');
  if (open === -1) return undefined;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : undefined;
}

/**
 * A key in the same slot as `key`, ending with `suffix`: a key with a hash tag keeps it
 * (`key + suffix`); a key without braces becomes the tag (`{key}suffix` hashes like `key`).
 * Throws for a key whose braces make neither possible (e.g. `a}b` or `a{}b`).
 * @internal
 */
export function sameSlotKey(key: string, suffix: string): string {
  if (hashTag(key) !== undefined) return `${key}${suffix}`;
  if (!key.includes('{') && !key.includes('}')) return `{${key}}${suffix}`;
  throw new InvalidArgumentError(
    `Redis key "${key}"`,
    'has braces without a hash tag Redis Cluster can use; name the stream (or keyPrefix) without braces, or with a non-empty {tag}',
  );
}
