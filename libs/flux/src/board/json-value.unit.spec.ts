import { describe, expect, it } from 'vitest';
import { MessageCodec } from '../broker/codec/message-codec.js';
import { toJsonValue } from './json-value.js';

describe('toJsonValue', () => {
  it('renders 64-bit integers decoded as bigint as decimal strings, safe ones as numbers', () => {
    const codec = new MessageCodec();
    const body = codec.decode(codec.encode({ userId: 2n ** 64n - 1n, low: -(2n ** 63n), n: 7 }));
    const json = JSON.stringify(toJsonValue(body));
    expect(json).toBe('{"userId":"18446744073709551615","low":"-9223372036854775808","n":7}');
  });
});
