import type { Snapshot, StoredEvent } from '../event-store.types.js';

/**
 * A row of the events table as pg returns it: BIGINT as text, JSON already parsed.
 * @internal
 */
export interface PostgresEventRow {
  position: string | number;
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
export interface PostgresSnapshotRow {
  version: number;
  schema_version: number;
  state: Record<string, unknown>;
  created_at: Date;
}

/** @internal */
export function toStoredEvent(row: PostgresEventRow): StoredEvent {
  return {
    eventId: row.event_id,
    aggregateId: row.aggregate_id,
    aggregateName: row.aggregate_name,
    version: row.version,
    position: Number(row.position),
    type: row.type,
    data: row.data,
    metadata: (row.metadata as Record<string, unknown> | null) ?? {},
    createdAt: row.created_at,
  };
}

/** @internal */
export function toSnapshot(
  aggregateId: string,
  aggregateName: string,
  row: PostgresSnapshotRow,
): Snapshot {
  return {
    aggregateId,
    aggregateName,
    version: row.version,
    schemaVersion: row.schema_version,
    state: row.state,
    createdAt: row.created_at,
  };
}
