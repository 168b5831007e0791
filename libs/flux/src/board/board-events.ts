import { Inject, Injectable } from '@nestjs/common';
import { EventStore } from '../event-store/event-store.js';
import type { StoredEvent } from '../event-store/event-store.types.js';
import { toJsonValue } from './json-value.js';

/** An event as the board's API returns it. */
export interface BoardEvent {
  eventId: string;
  aggregateId: string;
  aggregateName: string;
  version: number;
  position: number;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  /** ISO 8601. */
  createdAt: string;
}

/** A window of the global log, newest first. */
export interface BoardEventPage {
  events: BoardEvent[];
  /** The highest position in the store. */
  lastPosition: number;
  /** Pass as `before` for the next (older) page; null when the window reached the start. */
  older: number | null;
}

/** One aggregate's events, oldest first. */
export interface BoardHistory {
  aggregateId: string;
  events: BoardEvent[];
  /** Pass as `fromVersion` for the next page; null on the last page. */
  next: number | null;
}

const toBoardEvent = (e: StoredEvent): BoardEvent => ({
  eventId: e.eventId,
  aggregateId: e.aggregateId,
  aggregateName: e.aggregateName,
  version: e.version,
  position: e.position,
  type: e.type,
  data: toJsonValue(e.data),
  metadata: toJsonValue(e.metadata) as Record<string, unknown>,
  createdAt: e.createdAt.toISOString(),
});

/**
 * Reads the event store for the board: the latest events and one aggregate's history.
 * @internal
 */
@Injectable()
export class BoardEvents {
  constructor(@Inject(EventStore) private readonly store: EventStore) {}

  /**
   * The events with positions in `[before - limit, before)`, newest first; `before` defaults to
   * just past the last position. Paging by position windows (rather than by count) keeps each
   * page one `readAll` call; a page may hold fewer events where positions have gaps.
   */
  async latest(o: { before?: number; limit: number }): Promise<BoardEventPage> {
    const lastPosition = await this.store.lastPosition();
    const before = Math.min(o.before ?? lastPosition + 1, lastPosition + 1);
    const after = Math.max(0, before - 1 - o.limit);
    const read = await this.store.readAll({ after, limit: o.limit });
    const events = read
      .filter((e) => e.position < before)
      .map(toBoardEvent)
      .reverse();
    return { events, lastPosition, older: after > 0 ? after + 1 : null };
  }

  /** Up to `limit` events of one aggregate from `fromVersion` (default 1). */
  async history(
    aggregateId: string,
    o: { fromVersion?: number; limit: number },
  ): Promise<BoardHistory> {
    const read = await this.store.readStream(aggregateId, {
      fromVersion: o.fromVersion ?? 1,
      limit: o.limit,
    });
    const events = read.map(toBoardEvent);
    const next = events.length === o.limit ? events[events.length - 1].version + 1 : null;
    return { aggregateId, events, next };
  }
}
