import { DecodeError, Decoder, Encoder } from '@msgpack/msgpack';
import { decodeInt64Mixed, encodeBigIntAsInt64 } from './message-int64.js';
import { MessageTooLargeError } from '../../errors/message-too-large.error.js';

/**
 * Limits applied to message bodies; every field is optional.
 * @internal
 */
export interface MessageCodecLimits {
  /** Largest encoded body accepted at publish and at decode; default 16 MiB. */
  maxBodyBytes?: number;
  /** Deepest nesting of arrays/objects, checked when encoding and decoding; default 100. */
  maxDepth?: number;
  /** Longest string / binary / array / map when decoding; default `maxBodyBytes`. */
  maxStrLength?: number;
  maxBinLength?: number;
  maxArrayLength?: number;
  maxMapLength?: number;
}

const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
const DEFAULT_MAX_DEPTH = 100;

/**
 * The decoder builds maps as plain objects. @msgpack/msgpack 3 already refuses the key
 * `__proto__` (the only key whose assignment changes a prototype; `constructor` just becomes an
 * own property); the key converter below refuses it again so an upgrade that drops that check
 * cannot reopen prototype pollution. Depth is checked by hooking the decoder's stack pushes,
 * because the library has no depth limit for decoding and a tiny body could otherwise nest
 * millions of levels.
 */
class LimitedDecoder extends Decoder {
  constructor(
    private readonly maxDepth: number,
    limits: Required<Omit<MessageCodecLimits, 'maxBodyBytes' | 'maxDepth'>> & {
      maxExtLength: number;
    },
  ) {
    super({ ...limits, mapKeyConverter: safeMapKey });
  }

  private checkDepth(): void {
    const stack = (this as unknown as { stack?: { length: number } }).stack;
    if (stack && stack.length >= this.maxDepth) {
      throw new DecodeError(`nesting deeper than ${this.maxDepth} levels`);
    }
  }
}
for (const hook of ['pushMapState', 'pushArrayState'] as const) {
  const proto = Decoder.prototype as unknown as Record<string, (size: number) => void>;
  const original = proto[hook];
  // Only hook what this version of the library really has; otherwise maxBodyBytes still bounds work.
  if (typeof original === 'function') {
    (LimitedDecoder.prototype as unknown as Record<string, unknown>)[hook] = function (
      this: LimitedDecoder,
      size: number,
    ) {
      (this as unknown as { checkDepth(): void }).checkDepth();
      original.call(this, size);
    };
  }
}

decodeInt64Mixed(LimitedDecoder);

/** The library's encoder plus `bigint` as int64/uint64 (see `encodeBigIntAsInt64`). */
class Int64Encoder extends Encoder {}
encodeBigIntAsInt64(Int64Encoder);

function safeMapKey(key: unknown): string | number {
  if (typeof key === 'number') return key;
  if (typeof key !== 'string') throw new DecodeError(`map key of type ${typeof key}`);
  if (key === '__proto__') throw new DecodeError('the key __proto__ is not allowed');
  return key;
}

/**
 * msgpack codec of message bodies. One Encoder and one Decoder are reused (a fresh encoder per
 * call is ~1.6× slower); both are re-entrancy safe in @msgpack/msgpack, which clones on nesting.
 * 64-bit integers keep their value: int64/uint64 beyond ±(2^53−1) decode as `bigint` (safe ones
 * as `number`), and a `bigint` encodes as int64/uint64 (docs/broker.md, "64-bit integers").
 * @internal
 */
export class MessageCodec {
  readonly maxBodyBytes: number;
  private readonly encoder: Encoder;
  private readonly decoder: LimitedDecoder;

  constructor(limits: MessageCodecLimits = {}) {
    this.maxBodyBytes = limits.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
    const max = this.maxBodyBytes;
    this.encoder = new Int64Encoder({ maxDepth });
    this.decoder = new LimitedDecoder(maxDepth, {
      maxStrLength: limits.maxStrLength ?? max,
      maxBinLength: limits.maxBinLength ?? max,
      maxArrayLength: limits.maxArrayLength ?? max,
      maxMapLength: limits.maxMapLength ?? max,
      maxExtLength: max,
    });
  }

  /** Encodes into a fresh Buffer (ioredis sends only `Buffer` instances as binary). */
  encode(body: unknown): Buffer {
    // The shared-ref encode plus one copy into Buffer's pooled slab is ~2× cheaper than encode().
    const shared = this.encoder.encodeSharedRef(body);
    if (shared.byteLength > this.maxBodyBytes) {
      throw new MessageTooLargeError(shared.byteLength, this.maxBodyBytes);
    }
    const out = Buffer.allocUnsafe(shared.byteLength);
    out.set(shared);
    return out;
  }

  /** Decodes one body; throws DecodeError/MessageTooLargeError on garbage or a broken limit. */
  decode(bytes: Uint8Array): unknown {
    if (bytes.byteLength > this.maxBodyBytes) {
      throw new MessageTooLargeError(bytes.byteLength, this.maxBodyBytes);
    }
    return this.decoder.decode(bytes);
  }
}
