import { randomUUID } from 'node:crypto';
import { ConcurrencyError } from '../../errors/concurrency.error.js';
import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';
import { validateAppend } from '../append-validation.js';
import { validateReadAll, validateReadStream } from '../read-validation.js';
import { EventStore } from '../event-store.js';
import type {
  AppendOptions,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  Snapshot,
  StoredEvent,
} from '../event-store.types.js';

/**
 * The embedded default store. Appends are synchronous inside one tick, so positions are
 * assigned in commit order and the global log is gap-free by construction.
 * Data is deep-copied through JSON on the way in and out, as a database would.
 */
export class MemoryEventStore extends EventStore {
  private readonly log: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly byId = new Map<string, StoredEvent>();
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly id = randomUUID();

  async append(
    aggregateId: string,
    events: NewEvent[],
    options: AppendOptions,
  ): Promise<StoredEvent[]> {
    validateAppend(aggregateId, events, options);
    const stream = this.streams.get(aggregateId) ?? [];
    const current = stream.length;
    if (options.expectedVersion !== 'any' && options.expectedVersion !== current) {
      throw new ConcurrencyError(
        options.aggregateName,
        aggregateId,
        options.expectedVersion,
        current,
      );
    }
    if (current > 0 && stream[0].aggregateName !== options.aggregateName) {
      throw new InvalidArgumentError(
        'aggregateName',
        `aggregate "${aggregateId}" is a ${stream[0].aggregateName}, not a ${options.aggregateName}`,
      );
    }
    if (events.length === 0) return [];
    const createdAt = new Date();
    const stored = events.map((event, i) => ({
      eventId: randomUUID(),
      aggregateId,
      aggregateName: options.aggregateName,
      version: current + i + 1,
      position: this.log.length + i + 1,
      type: event.type,
      data: clone(event.data),
      metadata: clone(event.metadata ?? {}),
      createdAt,
    }));
    for (const event of stored) {
      this.log.push(event);
      this.byId.set(event.eventId, event);
    }
    this.streams.set(aggregateId, stream.concat(stored));
    const result = stored.map(copy);
    this.notifyAppended(result);
    return result;
  }

  async readStream(aggregateId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const { from, limit } = validateReadStream(aggregateId, options);
    const stream = this.streams.get(aggregateId) ?? [];
    return stream.slice(from - 1, limit === undefined ? undefined : from - 1 + limit).map(copy);
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    const { after, limit } = validateReadAll(options);
    return this.log.slice(after, limit === undefined ? undefined : after + limit).map(copy);
  }

  async getEvent(eventId: string): Promise<StoredEvent | null> {
    const event = this.byId.get(eventId);
    return event ? copy(event) : null;
  }

  async lastPosition(): Promise<number> {
    return this.log.length;
  }

  /** A random uuid per instance: the store lives and dies with it. */
  async storeId(): Promise<string> {
    return this.id;
  }

  async saveSnapshot(snapshot: Snapshot): Promise<void> {
    this.snapshots.set(
      key(snapshot.aggregateName, snapshot.aggregateId),
      clone({ ...snapshot, createdAt: new Date() }),
    );
  }

  async loadSnapshot(aggregateId: string, aggregateName: string): Promise<Snapshot | null> {
    const snapshot = this.snapshots.get(key(aggregateName, aggregateId));
    return snapshot
      ? { ...clone(snapshot), createdAt: new Date(snapshot.createdAt as unknown as string) }
      : null;
  }

  async close(): Promise<void> {}
}

const key = (name: string, id: string) => `${name}\u0000${id}`;
// Never called with undefined: appends refuse undefined data and metadata defaults to {}.
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value));
const copy = (event: StoredEvent): StoredEvent => ({
  ...event,
  data: clone(event.data),
  metadata: clone(event.metadata),
});
