import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';
import { assertOffset, parseStoredOffset } from './offset-store.js';

describe('parseStoredOffset', () => {
  it('reads what drivers return for a BIGINT: a number, a bigint or a string of digits', () => {
    expect(parseStoredOffset('c', 12)).toBe(12);
    expect(parseStoredOffset('c', 0)).toBe(0);
    expect(parseStoredOffset('c', 2n ** 40n)).toBe(2 ** 40);
    expect(parseStoredOffset('c', '9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses anything else, naming the consumer and the stored value', () => {
    for (const raw of [[5], { valueOf: () => 5 }, null, undefined, true, '', '0x10', ' 7']) {
      expect(() => parseStoredOffset('billing', raw), String(raw)).toThrow(InvalidArgumentError);
    }
    expect(() => parseStoredOffset('billing', 'abc')).toThrow(
      'Invalid offset of "billing": the stored value "abc" is not a non-negative integer',
    );
    expect(() => parseStoredOffset('billing', -3)).toThrow(
      'Invalid offset of "billing": expected a non-negative integer, got -3',
    );
    expect(() => parseStoredOffset('billing', 2n ** 60n)).toThrow(/non-negative integer/);
  });
});

describe('assertOffset', () => {
  it('accepts 0 and the largest safe integer, nothing negative, fractional or unsafe', () => {
    expect(() => assertOffset('c', 0)).not.toThrow();
    expect(() => assertOffset('c', Number.MAX_SAFE_INTEGER)).not.toThrow();
    for (const bad of [-1, 0.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1]) {
      expect(() => assertOffset('c', bad), String(bad)).toThrow(InvalidArgumentError);
    }
  });
});
