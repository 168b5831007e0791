import type { MetadataScanner } from '@nestjs/core';
import type { EventClass, EventHandlerBinding } from '../event-sourcing/event-handler.decorator.js';
import { eventMetadataOf } from '../event-sourcing/event-registry.js';

/**
 * Event type → the `@EventHandler` methods of `instance` to call, in declaration order. Routes by
 * the explicit type name of `@DomainEvent`, never by class identity (`eventMetadataOf` throws
 * for a class without it). A binding to something that is not a method fails through `invalid`;
 * `visit` sees each event class first (a consumer registers it into the app's `EventRegistry`).
 * @internal
 */
export function eventHandlerRoutes(
  bindings: readonly EventHandlerBinding[],
  instance: Record<string | symbol, unknown>,
  scanner: MetadataScanner,
  invalid: (reason: string) => Error,
  visit: (event: EventClass) => void = () => undefined,
): Map<string, Array<string | symbol>> {
  const methods = new Set<string | symbol>(
    scanner.getAllMethodNames(Object.getPrototypeOf(instance)),
  );
  const routes = new Map<string, Array<string | symbol>>();
  for (const { event, methodName } of bindings) {
    if (!methods.has(methodName) && typeof instance[methodName] !== 'function') {
      throw invalid(`@EventHandler method ${String(methodName)} is not a method`);
    }
    visit(event);
    const { type } = eventMetadataOf(event);
    const names = routes.get(type) ?? [];
    // Inherited bindings repeat when a subclass re-decorates the same method: call it once.
    if (!names.includes(methodName)) names.push(methodName);
    routes.set(type, names);
  }
  return routes;
}
