import type { StoredEvent } from '../event-store/event-store.types.js';

/**
 * The SSE `event:` name of every feed event. Fixed rather than the event type: types are free
 * strings chosen by applications, and one name lets a browser's `addEventListener` see them all
 * in order; the type is in `data.event_type`.
 * @internal
 */
export const FEED_SSE_EVENT = 'feed-event';

/** One event as the HTTP feed serves it (snake_case, as in Flux's Go feed). */
export interface FeedEvent {
  event_id: string;
  /** Absolute URL of `GET /<path>/<event_id>`. */
  url: string;
  aggregate_id: string;
  aggregate_name: string;
  aggregate_version: number;
  event_type: string;
  /** Global position in the store's log; pages and offsets are expressed in positions. */
  position: number;
  /** ISO 8601 timestamp of the append. */
  created: string;
  data: unknown;
  metadata: Record<string, unknown>;
}

/** A page of `GET /<path>`. */
export interface FeedPage {
  description: 'event feed';
  events: FeedEvent[];
  /** Absolute URL of the next page: after the last returned position, or the same `after`. */
  next: string;
}

/**
 * Builds the feed's view of a stored event; `base` is the feed's absolute URL without slash.
 * @internal
 */
export function toFeedEvent(event: StoredEvent, base: string): FeedEvent {
  return {
    event_id: event.eventId,
    url: `${base}/${encodeURIComponent(event.eventId)}`,
    aggregate_id: event.aggregateId,
    aggregate_name: event.aggregateName,
    aggregate_version: event.version,
    event_type: event.type,
    position: event.position,
    created: event.createdAt.toISOString(),
    data: event.data,
    metadata: event.metadata ?? {},
  };
}
