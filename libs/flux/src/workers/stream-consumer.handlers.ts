import type { Type } from '@nestjs/common';
import type { MetadataScanner } from '@nestjs/core';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { getEventHandlers } from '../event-sourcing/event-handler.decorator.js';
import { eventMetadataOf, type EventRegistry } from '../event-sourcing/event-registry.js';
import type { StreamConsumerDefinition } from './stream-consumer.definition.js';

/**
 * Resolves how a consumer class is called: `@EventHandler` methods (their event classes are
 * registered into the application's `EventRegistry`) or a raw `handle(events)`. A class with
 * neither, or with both, is rejected so a typo never turns into a worker that acks everything.
 */
export function resolveConsumerHandlers(
  cls: Type,
  instance: Record<string | symbol, unknown>,
  scanner: MetadataScanner,
  registry: EventRegistry,
): StreamConsumerDefinition['handlers'] {
  const invalid = (reason: string) =>
    new InvalidArgumentError(`@StreamConsumer ${cls.name}`, reason);
  const bindings = getEventHandlers(cls);
  const methods = new Set<string | symbol>(
    scanner.getAllMethodNames(Object.getPrototypeOf(instance)),
  );
  const boundNames = new Set(bindings.map((binding) => binding.methodName));
  const hasRaw = typeof instance.handle === 'function';
  if (bindings.length === 0) {
    if (hasRaw) return { kind: 'raw' };
    throw invalid('it has no @EventHandler(EventClass) method and no handle(events) method');
  }
  if (hasRaw && !boundNames.has('handle')) {
    throw invalid(
      'it has both @EventHandler methods and a raw handle(events) method; keep one of the two',
    );
  }
  const routes = new Map<string, Array<string | symbol>>();
  for (const { event, methodName } of bindings) {
    if (!methods.has(methodName) && typeof instance[methodName] !== 'function') {
      throw invalid(`@EventHandler method ${String(methodName)} is not a method`);
    }
    registry.register(event);
    const { type } = eventMetadataOf(event);
    const names = routes.get(type) ?? [];
    // Inherited bindings repeat when a subclass re-decorates the same method: call it once.
    if (!names.includes(methodName)) names.push(methodName);
    routes.set(type, names);
  }
  return { kind: 'typed', routes };
}
