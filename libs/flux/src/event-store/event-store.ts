import type {
  AppendOptions,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  Snapshot,
  StoredEvent,
} from './event-store.types.js';

export type AppendListener = (events: StoredEvent[]) => void;

/**
 * The event store contract, injectable by this class. Implementations: `MemoryEventStore`,
 * `MysqlEventStore`. Framework-free: nothing here depends on Nest.
 */
export abstract class EventStore {
  private readonly listeners = new Set<AppendListener>();

  /** Appends atomically (all or none) with an optimistic check; throws `ConcurrencyError`. */
  abstract append(
    aggregateId: string,
    events: NewEvent[],
    options: AppendOptions,
  ): Promise<StoredEvent[]>;
  abstract readStream(aggregateId: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  /** The global log in position order. Gap-safe: never skips an event that commits later. */
  abstract readAll(options?: ReadAllOptions): Promise<StoredEvent[]>;
  abstract getEvent(eventId: string): Promise<StoredEvent | null>;
  /** The highest position readable through `readAll` (0 when empty). */
  abstract lastPosition(): Promise<number>;
  /**
   * The persistent identity of this store, created with its tables: the same across calls,
   * processes and restarts on the same tables, different for other tables or databases. The
   * relay keys its checkpoint by it, so a Redis shared by several stores never mixes them up.
   */
  abstract storeId(): Promise<string>;
  abstract saveSnapshot(snapshot: Snapshot): Promise<void>;
  abstract loadSnapshot(aggregateId: string, aggregateName: string): Promise<Snapshot | null>;
  abstract close(): Promise<void>;

  /**
   * Called after events of this process were appended, so in-process readers (SSE, relay)
   * wake without polling. Readers still poll: other processes append too.
   */
  onAppended(listener: AppendListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  protected notifyAppended(events: StoredEvent[]): void {
    for (const listener of this.listeners) {
      try {
        listener(events);
      } catch {
        // A reader's bug must not fail the writer's append, which has already committed.
      }
    }
  }
}
