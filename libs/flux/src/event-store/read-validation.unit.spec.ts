import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { validateReadAll, validateReadStream } from './read-validation.js';

describe('read validation', () => {
  it('rejects hostile and malformed counts with InvalidArgumentError naming the field', () => {
    const hostile = { toString: 0, valueOf: 0 } as unknown as number;
    for (const bad of [hostile, Number.NaN, -1, 1.5, Infinity, '3' as unknown as number]) {
      expect(() => validateReadAll({ after: bad })).toThrow(InvalidArgumentError);
      expect(() => validateReadAll({ limit: bad })).toThrow(/Invalid limit/);
      expect(() => validateReadStream('a', { fromVersion: bad })).toThrow(/Invalid fromVersion/);
    }
    const fn = Object.assign(() => 1, { toString: 0 }) as unknown as number;
    expect(() => validateReadAll({ after: fn })).toThrow(/got a function/);
  });

  it('passes valid options through', () => {
    expect(validateReadAll({ after: 3, limit: 10 })).toEqual({ after: 3, limit: 10 });
    expect(validateReadStream('a', { fromVersion: 0 })).toEqual({ from: 1, limit: undefined });
  });
});
