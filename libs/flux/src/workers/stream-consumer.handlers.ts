import type { Type } from '@nestjs/common';
import type { MetadataScanner } from '@nestjs/core';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { getEventHandlers } from '../event-sourcing/event-handler.decorator.js';
import type { EventRegistry } from '../event-sourcing/event-registry.js';
import { eventHandlerRoutes } from '../discovery/event-handler-routes.js';
import type { StreamConsumerDefinition } from './stream-consumer.definition.js';

/**
 * Resolves how a consumer class is called: `@EventHandler` methods (their event classes are
 * registered into the application's `EventRegistry`) or a raw `handle(events)`. A class with
 * neither, or with both, is rejected so a typo never turns into a worker that acks everything.
 * @internal
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
  const routes = eventHandlerRoutes(bindings, instance, scanner, invalid, (event) =>
    registry.register(event),
  );
  return { kind: 'typed', routes };
}
