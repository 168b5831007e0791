import type { Decoder, Encoder } from '@msgpack/msgpack';
import { IncompatiblePeerError } from '../../errors/incompatible-peer.error.js';
import { SerializationError } from '../../errors/serialization.error.js';

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;
const TWO_32 = 0x1_0000_0000;

type Hooks = Record<string, (...args: never[]) => unknown>;
interface Reader {
  view: DataView;
  pos: number;
}
interface Writer {
  writeU8(value: number): void;
  encodeBigInt64(value: bigint): void;
  encodeNumber(value: number): void;
}

/**
 * Decodes msgpack int64/uint64 in mixed mode: a `number` when the value is a safe integer
 * (|n| ≤ 2^53−1), a `bigint` otherwise. @msgpack/msgpack 3 offers either all numbers (silently
 * rounding 2^62 to 4611686018427388000) or, with `useBigInt64`, all bigints — which turns every
 * 64-bit-encoded small id from Go or Java into a bigint. Installed on the codec's own subclass only.
 * @internal
 */
export function decodeInt64Mixed(decoder: { prototype: Decoder<never> }): void {
  const proto = decoder.prototype as unknown as Hooks;
  for (const [hook, signed] of [
    ['readU64', false],
    ['readI64', true],
  ] as const) {
    if (typeof proto[hook] !== 'function') {
      throw new IncompatiblePeerError(
        '@msgpack/msgpack',
        `has no Decoder.${hook}: 64-bit integers cannot be decoded exactly`,
      );
    }
    proto[hook] = function (this: Reader): number | bigint {
      const { view, pos } = this;
      const high = signed ? view.getInt32(pos) : view.getUint32(pos);
      const value = high * TWO_32 + view.getUint32(pos + 4);
      this.pos = pos + 8;
      // Rounding is monotonic, so an unsafe value never rounds into the safe range.
      if (Number.isSafeInteger(value)) return value;
      return signed ? view.getBigInt64(pos) : view.getBigUint64(pos);
    } as never;
  }
}

/**
 * Encodes `bigint` as msgpack uint64 (≥ 0) or int64 (< 0); a bigint within ±(2^53−1) is written
 * like the number it equals (the smallest integer format). Values beyond the 64-bit range throw
 * a SerializationError instead of wrapping around. Numbers are untouched: safe integers keep their compact
 * formats, which `useBigInt64` would have turned into float64 above 2^32.
 * @internal
 */
export function encodeBigIntAsInt64(encoder: { prototype: Encoder<never> }): void {
  const proto = encoder.prototype as unknown as Hooks;
  const original = proto.encodeObject;
  if (typeof original !== 'function' || typeof proto.encodeBigInt64 !== 'function') {
    throw new IncompatiblePeerError(
      '@msgpack/msgpack',
      'has no Encoder.encodeObject: bigint cannot be encoded',
    );
  }
  proto.encodeObject = function (this: Writer, object: unknown, depth: number) {
    if (typeof object !== 'bigint') return original.call(this, object as never, depth as never);
    if (object < INT64_MIN || object > UINT64_MAX) {
      throw new SerializationError('bigint', `${object} is outside the 64-bit integer range`);
    }
    const small = Number(object);
    if (Number.isSafeInteger(small)) this.encodeNumber(small);
    else this.encodeBigInt64(object);
  } as never;
}
