import type { StoredEvent } from '../event-store/event-store.types.js';
import { EVENT_VERSION_KEY } from '../event-sourcing/event-registry.js';

/**
 * The string tags a relayed event carries; `type` drives `@EventHandler` dispatch.
 * @internal
 */
export function relayTags(event: StoredEvent): Record<string, string> {
  const tags: Record<string, string> = {
    type: event.type,
    event_id: event.eventId,
    aggregate_id: event.aggregateId,
    aggregate_name: event.aggregateName,
    version: String(event.version),
    position: String(event.position),
    created: String(event.createdAt.getTime()),
  };
  const { metadata } = event;
  if (metadata[EVENT_VERSION_KEY] !== undefined)
    tags.event_version = String(metadata[EVENT_VERSION_KEY]);
  if (typeof metadata.correlationId === 'string') tags.correlation_id = metadata.correlationId;
  if (typeof metadata.causationId === 'string') tags.causation_id = metadata.causationId;
  if (typeof metadata.traceparent === 'string') tags.traceparent = metadata.traceparent;
  return tags;
}
