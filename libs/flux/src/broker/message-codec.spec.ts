import { DecodeError, encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { MessageCodec } from './message-codec.js';

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
    expect(codec.decode(nestedArrays(10))).toBeDefined();
    expect(() => codec.decode(nestedArrays(11))).toThrow(/deeper than 10/);
    expect(() => new MessageCodec().decode(nestedArrays(100_000))).toThrow(/deeper than 100/);
    let deep: unknown = 1;
    for (let i = 0; i < 12; i++) deep = [deep];
    expect(() => codec.encode(deep)).toThrow(/deep/);
  });

  it('limits body size and collection lengths', () => {
    const codec = new MessageCodec({ maxBodyBytes: 32, maxArrayLength: 3 });
    expect(() => codec.encode('x'.repeat(40))).toThrow(/maxBodyBytes/);
    expect(() => codec.decode(encode('x'.repeat(40)))).toThrow(/maxBodyBytes/);
    expect(() => codec.decode(encode([1, 2, 3, 4]))).toThrow(/maxArrayLength/);
    // A header announcing 2^32-1 elements must not allocate them.
    expect(() => new MessageCodec().decode(Uint8Array.of(0xdd, 0xff, 0xff, 0xff, 0xff))).toThrow();
  });
});
