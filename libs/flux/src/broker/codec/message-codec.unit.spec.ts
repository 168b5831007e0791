import { DecodeError, encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { MessageCodec } from './message-codec.js';
import { SerializationError } from '../../errors/serialization.error.js';
import { MessageTooLargeError } from '../../errors/message-too-large.error.js';

/** `depth` nested one-element arrays around 1, written by hand so no encoder limit applies. */
function nestedArrays(depth: number): Uint8Array {
  const bytes = new Uint8Array(depth + 1).fill(0x91);
  bytes[depth] = 0x01;
  return bytes;
}

describe('MessageCodec', () => {
  it('round-trips and returns an independent Buffer per encode', () => {
    const codec = new MessageCodec();
    const a = codec.encode({ n: 1 });
    const b = codec.encode({ n: 2 });
    expect(Buffer.isBuffer(a)).toBe(true);
    expect(codec.decode(a)).toEqual({ n: 1 });
    expect(codec.decode(b)).toEqual({ n: 2 });
  });

  it('refuses __proto__ keys and keeps constructor keys as own data', () => {
    const codec = new MessageCodec();
    const hostile = encode(JSON.parse('{"a": {"__proto__": {"polluted": 1}}}'));
    expect(() => codec.decode(hostile)).toThrow(DecodeError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const decoded = codec.decode(encode({ constructor: 'x' })) as Record<string, unknown>;
    expect(Object.hasOwn(decoded, 'constructor')).toBe(true);
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
  });

  it('limits nesting depth when decoding and encoding', () => {
    const codec = new MessageCodec({ maxDepth: 10 });
    let ten: unknown = 1;
    for (let i = 0; i < 10; i++) ten = [ten];
    expect(codec.decode(nestedArrays(10))).toEqual(ten);
    expect(() => codec.decode(nestedArrays(11))).toThrow(/deeper than 10/);
    expect(() => new MessageCodec().decode(nestedArrays(100_000))).toThrow(/deeper than 100/);
    let deep: unknown = 1;
    for (let i = 0; i < 12; i++) deep = [deep];
    expect(() => codec.encode(deep)).toThrow(/deep/);
  });

  it('limits body size and collection lengths', () => {
    const codec = new MessageCodec({ maxBodyBytes: 32, maxArrayLength: 3 });
    expect(() => codec.encode('x'.repeat(40))).toThrow(MessageTooLargeError);
    expect(() => codec.decode(encode('x'.repeat(40)))).toThrow(/maxBodyBytes/);
    expect(() => codec.encode('x'.repeat(40))).toThrow(/42 bytes exceed maxBodyBytes \(32\)/);
    expect(() => codec.decode(encode([1, 2, 3, 4]))).toThrow(/maxArrayLength/);
    // A header announcing 2^32-1 elements must not allocate them.
    expect(() => new MessageCodec().decode(Uint8Array.of(0xdd, 0xff, 0xff, 0xff, 0xff))).toThrow();
  });
});

/** A one-entry msgpack map `{ v: <int64 or uint64> }` written byte by byte, as Go or Python would. */
function rawInt64(value: bigint, marker: 0xcf | 0xd3): Uint8Array {
  const bytes = new Uint8Array(12);
  bytes.set([0x81, 0xa1, 0x76, marker]); // fixmap(1), fixstr "v", uint64 / int64
  const view = new DataView(bytes.buffer);
  if (marker === 0xcf) view.setBigUint64(4, value);
  else view.setBigInt64(4, value);
  return bytes;
}

describe('MessageCodec 64-bit integers', () => {
  const codec = new MessageCodec();
  const unsafe: Array<[bigint, 0xcf | 0xd3]> = [
    [2n ** 53n, 0xcf],
    [2n ** 53n + 1n, 0xcf],
    [2n ** 62n, 0xcf],
    [2n ** 63n - 1n, 0xcf],
    [2n ** 64n - 1n, 0xcf],
    [2n ** 62n, 0xd3],
    [2n ** 63n - 1n, 0xd3],
    [-(2n ** 53n), 0xd3],
    [-(2n ** 53n) - 1n, 0xd3],
    [-(2n ** 63n), 0xd3],
  ];

  it.each(unsafe)('decodes %s (marker %i) as that exact bigint', (value, marker) => {
    expect(codec.decode(rawInt64(value, marker))).toEqual({ v: value });
  });

  it.each([
    [0n, 0xcf],
    [2n ** 53n - 1n, 0xcf],
    [2n ** 32n, 0xd3],
    [-(2n ** 53n) + 1n, 0xd3],
    [-1n, 0xd3],
  ] as Array<[bigint, 0xcf | 0xd3]>)('decodes the safe %s (marker %i) as a number', (v, m) => {
    expect(codec.decode(rawInt64(v, m))).toEqual({ v: Number(v) });
  });

  it('encodes a bigint as uint64/int64 and reads it back exactly; safe ones stay compact', () => {
    const big = codec.encode({ v: 2n ** 64n - 1n });
    expect([...big.subarray(3, 12)]).toEqual([0xcf, ...Array(8).fill(0xff)]);
    expect(codec.decode(big)).toEqual({ v: 2n ** 64n - 1n });
    const min = codec.encode(-(2n ** 63n));
    expect(min[0]).toBe(0xd3);
    expect(codec.decode(min)).toBe(-(2n ** 63n));
    expect([...codec.encode(5n)]).toEqual([0x05]);
    expect(codec.decode(codec.encode(5n))).toBe(5);
    // Numbers above 2^32 keep their integer format (not float64, as `useBigInt64` would write).
    expect(codec.encode(2 ** 40)[0]).toBe(0xcf);
    expect(codec.decode(codec.encode(2 ** 40))).toBe(2 ** 40);
  });

  it('refuses a bigint outside the 64-bit range instead of wrapping it', () => {
    expect(() => codec.encode(2n ** 64n)).toThrow(/outside the 64-bit integer range/);
    expect(() => codec.encode(-(2n ** 63n) - 1n)).toThrow(SerializationError);
  });
});
