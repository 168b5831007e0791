import type { Snapshot, StoredEvent } from '../event-store.types.js';

/**
 * A row of the events table as mysql2 returns it (JSON columns arrive as text).
 * @internal
 */
export interface EventRow {
  position: number | string | null;
  event_id: string;
  aggregate_id: string;
  aggregate_name: string;
  version: number;
  type: string;
  data: unknown;
  metadata: unknown;
  created_at: Date;
}

/** @internal */
export interface SnapshotRow {
  version: number;
  schema_version: number;
  state: unknown;
  created_at: Date;
}

/**
 * MariaDB stores JSON as text and the pool asks MySQL for text too, so one rule parses both.
 * @internal
 */
export const parseJson = (value: unknown): any =>
  typeof value === 'string' ? JSON.parse(value) : value;

/** @internal */
export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    eventId: row.event_id,
    aggregateId: row.aggregate_id,
    aggregateName: row.aggregate_name,
    version: row.version,
    position: Number(row.position),
    type: row.type,
    data: parseJson(row.data),
    metadata: parseJson(row.metadata) ?? {},
    createdAt: row.created_at,
  };
}

/** @internal */
export function toSnapshot(aggregateId: string, aggregateName: string, row: SnapshotRow): Snapshot {
  return {
    aggregateId,
    aggregateName,
    version: row.version,
    schemaVersion: row.schema_version,
    state: parseJson(row.state),
    createdAt: row.created_at,
  };
}
