/**
 * One entry of an XREADGROUP/XAUTOCLAIM reply read with the `…Buffer` variants.
 * @internal
 */
export type RawEntry = [id: Buffer, fields: Buffer[] | null];

/**
 * The entries of a single-stream XREADGROUP reply. ioredis 6 flattens RESP3's map reply to the
 * RESP2 shape `[[key, entries]]` only for lower-case command names; the map shape (an object)
 * is accepted too so a change of `replyMapping` cannot silently read nothing.
 * @internal
 */
export function readGroupEntries(reply: unknown): RawEntry[] {
  if (reply == null) return [];
  if (Array.isArray(reply)) {
    const first = reply[0] as [unknown, RawEntry[]] | undefined;
    return first?.[1] ?? [];
  }
  const values = Object.values(reply as Record<string, RawEntry[]>);
  return values[0] ?? [];
}

/**
 * Splits entries into live ones and ids of entries deleted while pending (null fields).
 * @internal
 */
export function splitDeleted(entries: RawEntry[]): { live: RawEntry[]; deleted: string[] } {
  let deleted: string[] | undefined;
  let live = entries;
  for (let i = 0; i < entries.length; i++) {
    if (entries[i][1] === null) {
      deleted ??= [];
      deleted.push(entries[i][0].toString());
    }
  }
  if (deleted) live = entries.filter((entry) => entry[1] !== null);
  return { live, deleted: deleted ?? [] };
}
