import type { Type } from '@nestjs/common';
import type { MetadataScanner } from '@nestjs/core';
import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';
import { getEventHandlers, type EventClass } from '../../event-sourcing/event-handler.decorator.js';
import { eventMetadataOf } from '../../event-sourcing/event-registry.js';
import type { FeedEventHandler } from '../consumer/feed-consumer.types.js';
import type { FeedEvent } from '../feed-event.js';

/** The consumer-side view of a subscriber class: which events it takes and how it is called. */
export interface SubscriberHandlers {
  events: EventClass[];
  handler: FeedEventHandler;
}

/**
 * Routes each event type to the subscriber's `@EventHandler` methods (by the explicit type name,
 * never by class identity). A class without any is rejected: it would silently pass over
 * every event and move its offset to the end of the feed.
 */
export function resolveSubscriberHandlers(
  cls: Type,
  instance: Record<string | symbol, unknown>,
  scanner: MetadataScanner,
): SubscriberHandlers {
  const invalid = (reason: string) =>
    new InvalidArgumentError(`@FeedSubscriber ${cls.name}`, reason);
  const bindings = getEventHandlers(cls);
  if (bindings.length === 0) throw invalid('it has no @EventHandler(EventClass) method');
  const methods = new Set<string | symbol>(
    scanner.getAllMethodNames(Object.getPrototypeOf(instance)),
  );
  const routes = new Map<string, Array<string | symbol>>();
  for (const { event, methodName } of bindings) {
    if (!methods.has(methodName) && typeof instance[methodName] !== 'function') {
      throw invalid(`@EventHandler method ${String(methodName)} is not a method`);
    }
    const { type } = eventMetadataOf(event); // throws when the class lacks @DomainEvent
    const names = routes.get(type) ?? [];
    if (!names.includes(methodName)) names.push(methodName);
    routes.set(type, names);
  }
  const handler = async (event: object, feedEvent: FeedEvent) => {
    for (const method of routes.get(feedEvent.event_type) ?? []) {
      await (instance[method] as (e: object, f: FeedEvent) => unknown).call(
        instance,
        event,
        feedEvent,
      );
    }
  };
  return { events: [...new Set(bindings.map((b) => b.event))], handler };
}
