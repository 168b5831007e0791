/** An event about to be appended. `type` is the explicit, process-independent type name. */
export interface NewEvent {
  type: string;
  data: unknown;
  metadata?: Record<string, unknown>;
}

/** An event as stored. `position` is global and strictly increasing; `version` is per aggregate. */
export interface StoredEvent {
  eventId: string;
  aggregateId: string;
  aggregateName: string;
  version: number;
  position: number;
  type: string;
  data: any;
  metadata: Record<string, unknown>;
  createdAt: Date;
}

/** `'any'` appends without a version check; a number is the version the stream must be at. */
export type ExpectedVersion = number | 'any';

export interface AppendOptions {
  expectedVersion: ExpectedVersion;
  aggregateName: string;
}

export interface ReadStreamOptions {
  /** First version to return (inclusive); default 1. */
  fromVersion?: number;
  limit?: number;
}

export interface ReadAllOptions {
  /** Return events with a position strictly greater than this; default 0. */
  after?: number;
  limit?: number;
}

/** An aggregate's state at `version`, tagged with the class's snapshot schema version. */
export interface Snapshot {
  aggregateId: string;
  aggregateName: string;
  version: number;
  schemaVersion: number;
  state: Record<string, unknown>;
  createdAt?: Date;
}
