import { AggregateNotFoundError } from '../errors/aggregate-not-found.error.js';
import { ConcurrencyError } from '../errors/concurrency.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { assertValidId } from '../event-store/append-validation.js';
import type { EventStore } from '../event-store/event-store.js';
import type { StoredEvent } from '../event-store/event-store.types.js';
import type { AggregateMetadata } from './aggregate.decorator.js';
import type { AggregateRoot } from './aggregate-root.js';
import { EVENT_VERSION_KEY, type EventRegistry } from './event-registry.js';
import type { FluxInstrumentation } from '../observability/flux-instrumentation.js';
import { restoreSnapshot, takeSnapshot } from './snapshot-state.js';

export interface SaveOptions {
  metadata?: Record<string, unknown>;
  correlationId?: string;
  causationId?: string;
}

export interface UpdateOptions extends SaveOptions {
  /** Reloads and retries after a `ConcurrencyError` this many times; default 3. */
  retries?: number;
}

/**
 * Receives every batch of saved events (the @nestjs/cqrs EventBus bridge, metrics, …).
 * @internal
 */
export type SavedEventsListener = (events: object[], stored: StoredEvent[]) => void | Promise<void>;

/** Loads and saves one aggregate class through the event store. */
export class AggregateRepository<T extends AggregateRoot> {
  constructor(
    private readonly aggregateClass: new () => T,
    private readonly metadata: AggregateMetadata,
    private readonly store: EventStore,
    private readonly registry: EventRegistry,
    private readonly listeners: readonly SavedEventsListener[] = [],
    private readonly instrumentation?: FluxInstrumentation,
  ) {}

  get aggregateName(): string {
    return this.metadata.name;
  }

  /** A new, unsaved aggregate (version 0). */
  create(id: string): T {
    assertValidId(`${this.metadata.name} id`, id);
    const aggregate = new this.aggregateClass();
    aggregate.id = id;
    return aggregate;
  }

  /** Rebuilds the aggregate from its latest usable snapshot and the events after it. */
  async find(id: string): Promise<T | null> {
    assertValidId(`${this.metadata.name} id`, id);
    const tracer = this.instrumentation?.tracer;
    if (tracer?.enabled)
      return tracer.trace(
        `load ${this.metadata.name}`,
        () => this.rebuild(id),
        this.spanAttributes(id),
      );
    return this.rebuild(id);
  }

  private async rebuild(id: string): Promise<T | null> {
    const started = performance.now();
    const aggregate = this.create(id);
    let version = 0;
    if (this.metadata.snapshotEvery) {
      const snapshot = await this.store.loadSnapshot(id, this.metadata.name);
      // A snapshot of another schema version describes a state shape this class no longer has.
      if (snapshot && snapshot.schemaVersion === this.metadata.snapshotVersion) {
        restoreSnapshot(aggregate, snapshot.state);
        version = snapshot.version;
      }
    }
    const events = await this.store.readStream(id, { fromVersion: version + 1 });
    if (version === 0 && events.length === 0) return null;
    for (const stored of events) {
      if (stored.aggregateName !== this.metadata.name) {
        throw new InvalidArgumentError(
          `${this.metadata.name} id`,
          `"${id}" belongs to a ${stored.aggregateName}`,
        );
      }
      aggregate.replay(this.toInstance(stored));
      version = stored.version;
    }
    aggregate.markCommitted(version);
    this.instrumentation?.loaded(this.metadata.name, events.length, performance.now() - started);
    return aggregate;
  }

  async load(id: string): Promise<T> {
    const aggregate = await this.find(id);
    if (!aggregate) throw new AggregateNotFoundError(this.metadata.name, id);
    return aggregate;
  }

  /** Appends the uncommitted events expecting `aggregate.version`; a no-op when there are none. */
  async save(aggregate: T, options: SaveOptions = {}): Promise<void> {
    const events = aggregate.getUncommittedEvents();
    if (events.length === 0) return;
    const tracer = this.instrumentation?.tracer;
    if (tracer?.enabled) {
      const attributes = this.spanAttributes(aggregate.id, events.length);
      return tracer.trace(
        `save ${this.metadata.name}`,
        () => this.commit(aggregate, events, options),
        attributes,
      );
    }
    return this.commit(aggregate, events, options);
  }

  /** Appends `events` (the aggregate's uncommitted ones), snapshots, notifies the listeners. */
  private async commit(aggregate: T, events: object[], options: SaveOptions): Promise<void> {
    const metadata: Record<string, unknown> = { ...options.metadata };
    if (options.correlationId !== undefined) metadata.correlationId = options.correlationId;
    if (options.causationId !== undefined) metadata.causationId = options.causationId;
    const tracer = this.instrumentation?.tracer;
    // The command's trace context travels with the events: relay → stream → worker, and the feed.
    const traceparent = tracer?.traceparent();
    if (traceparent !== undefined) metadata.traceparent = traceparent;
    const started = performance.now();
    const append = () =>
      this.store.append(
        aggregate.id,
        events.map((event) => this.registry.toNewEvent(event, metadata)),
        { expectedVersion: aggregate.version, aggregateName: this.metadata.name },
      );
    const stored = tracer?.enabled
      ? await tracer.trace(
          `append ${this.metadata.name}`,
          append,
          this.spanAttributes(aggregate.id, events.length),
        )
      : await append();
    this.instrumentation?.appended(this.metadata.name, stored.length, performance.now() - started);
    const before = aggregate.version;
    aggregate.markCommitted(stored[stored.length - 1].version);
    await this.maybeSnapshot(aggregate, before);
    for (const listener of this.listeners) await listener(events, stored);
  }

  /** Load, run `fn`, save; on a conflict reload and run `fn` again, up to `retries` times. */
  async update(
    id: string,
    fn: (aggregate: T) => void | Promise<void>,
    options: UpdateOptions = {},
  ): Promise<T> {
    const retries = options.retries ?? 3;
    for (let attempt = 0; ; attempt++) {
      const aggregate = await this.load(id);
      await fn(aggregate);
      try {
        await this.save(aggregate, options);
        return aggregate;
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= retries) throw error;
      }
    }
  }

  private spanAttributes(id: string, events?: number) {
    return () => ({
      'flux.aggregate.name': this.metadata.name,
      'flux.aggregate.id': id,
      'flux.event.count': events,
    });
  }

  private toInstance(stored: StoredEvent): object {
    return this.registry.instantiate(
      stored.type,
      stored.data,
      stored.metadata?.[EVENT_VERSION_KEY],
      `${this.metadata.name} "${stored.aggregateId}" version ${stored.version}`,
    );
  }

  private async maybeSnapshot(aggregate: T, before: number): Promise<void> {
    const every = this.metadata.snapshotEvery;
    if (!every || Math.floor(aggregate.version / every) === Math.floor(before / every)) return;
    // A snapshot is an optimisation: failing to write one must not fail a save that committed.
    await this.store
      .saveSnapshot({
        aggregateId: aggregate.id,
        aggregateName: this.metadata.name,
        version: aggregate.version,
        schemaVersion: this.metadata.snapshotVersion,
        state: takeSnapshot(aggregate),
      })
      .catch(() => undefined);
  }
}
