import { Encoder } from '@msgpack/msgpack';

/**
 * The event body every broker benchmark sends: about 100 bytes once msgpack-encoded
 * (7 fields, short strings, integers), plus one string tag `type`.
 */
export interface BenchEvent {
  accountId: string;
  amount: number;
  currency: string;
  seq: number;
  at: number;
  reference: string;
  ok: boolean;
}

const REFERENCE = 'inv 2026-11 A-0042';

export function benchEvent(seq: number): BenchEvent {
  return {
    accountId: `acc-${(seq % 100_000).toString().padStart(8, '0')}`,
    amount: (seq * 7919) % 1_000_000,
    currency: 'EUR',
    seq,
    at: 1_790_000_000_000 + seq,
    reference: REFERENCE,
    ok: true,
  };
}

export const EVENT_TAGS = { type: 'AccountCredited' } as const;

/**
 * What a careful hand-written producer does: one reused `Encoder`, the shared-ref encode and
 * one copy into a `Buffer` (ioredis sends only Buffers as binary).
 */
export class BodyEncoder {
  private readonly encoder = new Encoder();
  encode(value: unknown): Buffer {
    const shared = this.encoder.encodeSharedRef(value);
    const out = Buffer.allocUnsafe(shared.byteLength);
    out.set(shared);
    return out;
  }
}
