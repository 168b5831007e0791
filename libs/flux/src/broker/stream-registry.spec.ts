import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { PoolNotConfiguredError } from '../errors/pool-not-configured.error.js';
import { StreamNotRegisteredError } from '../errors/stream-not-registered.error.js';
import { StreamRegistry } from './stream-registry.js';

const pools = { has: (pool: string) => pool === 'default' || pool === 'other' };

describe('StreamRegistry', () => {
  it('registers names and registrations with prefixed keys', () => {
    const registry = new StreamRegistry(pools, 'app:');
    registry.register('a');
    registry.register({ name: 'b', pool: 'other', maxLen: 100 });
    expect(registry.get('a')).toEqual({ name: 'a', pool: 'default', key: 'app:a' });
    expect(registry.get('b')).toEqual({ name: 'b', pool: 'other', key: 'app:b', maxLen: 100 });
    expect(registry.all().map((s) => s.name)).toEqual(['a', 'b']);
  });

  it('accepts the same stream twice on one pool and refuses another pool', () => {
    const registry = new StreamRegistry(pools);
    registry.register('a');
    expect(() => registry.register({ name: 'a', pool: 'default' })).not.toThrow();
    expect(() => registry.register({ name: 'a', pool: 'other' })).toThrow(InvalidArgumentError);
    registry.register({ name: 'a', maxLen: 10 }); // adds a cap
    expect(registry.get('a').maxLen).toBe(10);
    expect(() => registry.register({ name: 'a', maxLen: 20 })).toThrow(/maxLen/);
  });

  it('names the stream and pool in its errors', () => {
    const registry = new StreamRegistry(pools);
    expect(() => registry.get('x')).toThrow(StreamNotRegisteredError);
    expect(() => registry.register({ name: 's', pool: 'nope' })).toThrow(PoolNotConfiguredError);
    expect(() => registry.register({ name: 's', pool: 'nope' })).toThrow(/"nope".*"s"/);
    expect(() => registry.register({ name: 's', maxLen: 0 })).toThrow(InvalidArgumentError);
  });
});
