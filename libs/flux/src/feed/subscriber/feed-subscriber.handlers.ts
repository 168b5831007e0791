import type { Type } from '@nestjs/common';
import type { MetadataScanner } from '@nestjs/core';
import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';
import { getEventHandlers, type EventClass } from '../../event-sourcing/event-handler.decorator.js';
import { eventHandlerRoutes } from '../../discovery/event-handler-routes.js';
import type { FeedEventHandler } from '../consumer/feed-consumer.types.js';
import type { FeedEvent } from '../feed-event.js';

/**
 * The consumer-side view of a subscriber class: which events it takes and how it is called.
 * @internal
 */
export interface SubscriberHandlers {
  events: EventClass[];
  handler: FeedEventHandler;
}

/**
 * Routes each event type to the subscriber's `@EventHandler` methods (by the explicit type name,
 * never by class identity). A class without any is rejected: it would silently pass over
 * every event and move its offset to the end of the feed.
 * @internal
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
  const routes = eventHandlerRoutes(bindings, instance, scanner, invalid);
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
