import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { DomainEvent } from './domain-event.decorator.js';
import { EventRegistry } from './event-registry.js';

@DomainEvent('Thing')
class Thing {
  constructor(readonly name: string) {}
}

describe('EventRegistry', () => {
  it('never lets a __proto__ key change the prototype of a loaded event', () => {
    const registry = new EventRegistry();
    registry.register(Thing);
    const data = JSON.parse(
      '{"name":"x","__proto__":{"polluted":true},"constructor":{"prototype":{"bad":1}}}',
    );
    const event = registry.instantiate<Thing & { polluted?: boolean }>('Thing', data);
    expect(event).toBeInstanceOf(Thing);
    expect(Object.getPrototypeOf(event)).toBe(Thing.prototype);
    expect(event.polluted).toBeUndefined();
    expect(({} as any).polluted).toBeUndefined();
    expect((Thing.prototype as any).bad).toBeUndefined();
  });

  it('refuses two classes with one type name', () => {
    @DomainEvent('Thing')
    class OtherThing {}
    const registry = new EventRegistry();
    registry.register(Thing);
    expect(() => registry.register(OtherThing)).toThrow(
      /"Thing" is declared by both Thing and OtherThing/,
    );
  });

  it('refuses classes without @DomainEvent, naming them', () => {
    class Plain {}
    expect(() => new EventRegistry().register(Plain)).toThrow(
      /Plain is not decorated with @DomainEvent/,
    );
  });

  it('refuses data stored by a newer schema version', () => {
    const registry = new EventRegistry();
    registry.register(Thing);
    expect(() => registry.instantiate('Thing', {}, 3)).toThrow(
      /stored version 3 is newer than this process's version 1/,
    );
  });

  it('rejects malformed stored schema versions with a clear error', () => {
    const registry = new EventRegistry();
    registry.register(Thing);
    for (const bad of [0, -1, 1.5, 'x', NaN]) {
      expect(() => registry.instantiate('Thing', {}, bad)).toThrow(
        /Thing schema version.*not an integer/,
      );
    }
    expect(registry.instantiate('Thing', { name: 'ok' }, '1')).toBeInstanceOf(Thing);
  });

  it('requires an upcaster for every older version', () => {
    expect(() => DomainEvent('V3', { version: 3, upcast: { 1: (d) => d } })(class V3 {})).toThrow(
      /needs an upcaster from version 2/,
    );
  });
});
