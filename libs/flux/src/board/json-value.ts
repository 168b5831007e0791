/**
 * A decoded msgpack body as a JSON-safe value: binary becomes `{ $binary: <base64> }`, bigints
 * become strings, dates ISO strings. The board shows bodies as JSON, and `JSON.stringify` would
 * throw on a bigint and spell a Uint8Array as an object with one key per byte.
 * @internal
 */
export function toJsonValue(value: unknown, depth = 0): unknown {
  if (depth > 200) return '…';
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return { $binary: Buffer.from(value).toString('base64') };
  if (Array.isArray(value)) return value.map((item) => toJsonValue(item, depth + 1));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = toJsonValue(item, depth + 1);
    return out;
  }
  return String(value);
}
