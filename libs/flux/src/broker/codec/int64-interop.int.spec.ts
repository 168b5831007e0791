import { afterEach, describe, expect, it } from 'vitest';
import { BODY_FIELD } from '../broker.constants.js';
import { createTestBroker } from '../broker.spec-helpers.js';
import type { StreamEvent } from '../consume/stream-event.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * What a Go producer (`uint64` ids), Python's msgpack or Java's msgpack-core write: a map of
 * named 64-bit integers, encoded here byte by byte — not by the library's encoder.
 */
function foreignBody(values: Record<string, bigint>): Buffer {
  const entries = Object.entries(values);
  const parts: number[] = [0x80 | entries.length];
  for (const [key, value] of entries) {
    parts.push(0xa0 | key.length, ...Buffer.from(key));
    const eight = Buffer.alloc(8);
    if (value < 0n) eight.writeBigInt64BE(value);
    else eight.writeBigUInt64BE(value);
    parts.push(value < 0n ? 0xd3 : 0xcf, ...eight);
  }
  return Buffer.from(parts);
}

const EXTREMES = {
  p53: 2n ** 53n + 1n,
  p62: 2n ** 62n,
  i64max: 2n ** 63n - 1n,
  u64max: 2n ** 64n - 1n,
  i64min: -(2n ** 63n),
  n53: -(2n ** 53n) - 1n,
  small: 42n,
  neg: -7n,
};

describe('64-bit integers from another language', () => {
  it('reach a consumer with their exact value, and survive being published again', async () => {
    const t = createTestBroker(['ids', 'ids:copy']);
    cleanups.push(() => t.close());
    const bytes = foreignBody(EXTREMES);
    // The broker's field layout: the msgpack body under BODY_FIELD, string tags beside it.
    await t.admin.xadd(t.key('ids'), '*', BODY_FIELD, bytes, 'type', 'UserCreated');
    const consumer = await t.broker.consumerMany('ids');
    const seen: StreamEvent[] = [];
    await consumer.consume(10, 0, (events) => void seen.push(...events));
    expect(seen).toHaveLength(1);
    const body = seen[0].unserialize<Record<string, number | bigint>>();
    expect(body).toEqual({
      p53: 2n ** 53n + 1n,
      p62: 4611686018427387904n,
      i64max: 9223372036854775807n,
      u64max: 18446744073709551615n,
      i64min: -9223372036854775808n,
      n53: -(2n ** 53n) - 1n,
      small: 42,
      neg: -7,
    });
    expect(typeof body.small).toBe('number');

    // Re-publishing the decoded body (as dead-lettering does) writes the same 64-bit values.
    await t.broker.publish('ids:copy', body);
    const [[, fields]] = await t.admin.xrangeBuffer(t.key('ids:copy'), '-', '+');
    const copy = fields[fields.findIndex((f) => f.toString() === BODY_FIELD) + 1];
    const reread = await t.broker.consumerMany('ids:copy');
    const again: StreamEvent[] = [];
    await reread.consume(10, 0, (events) => void again.push(...events));
    expect(again[0].unserialize()).toEqual(body);
    expect(copy.includes(Buffer.from([0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).toBe(
      true,
    );
  });
});
