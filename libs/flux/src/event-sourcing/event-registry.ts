import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { UnknownEventTypeError } from '../errors/unknown-event-type.error.js';
import type { NewEvent } from '../event-store/event-store.types.js';
import { type DomainEventMetadata, getDomainEventMetadata } from './domain-event.decorator.js';
import type { EventClass } from './event-handler.decorator.js';

/**
 * Metadata key holding the schema version an event was stored at (absent means 1).
 * @internal
 */
export const EVENT_VERSION_KEY = 'eventVersion';

interface Entry extends DomainEventMetadata {
  cls: EventClass;
}

/**
 * Maps explicit event type names to their classes, per application (never process-global:
 * two apps in one process may know different classes). Turns instances into stored shape and
 * stored data back into instances of the current schema version.
 * @internal
 */
export class EventRegistry {
  private readonly byType = new Map<string, Entry>();

  register(...classes: EventClass[]): void {
    for (const cls of classes) {
      const metadata = eventMetadataOf(cls);
      const existing = this.byType.get(metadata.type);
      if (existing && existing.cls !== cls) {
        throw new InvalidArgumentError(
          'event type',
          `"${metadata.type}" is declared by both ${existing.cls.name} and ${cls.name}; event type names must be unique`,
        );
      }
      this.byType.set(metadata.type, { ...metadata, cls });
    }
  }

  has(type: string): boolean {
    return this.byType.has(type);
  }

  types(): string[] {
    return [...this.byType.keys()];
  }

  classOf(type: string): EventClass | undefined {
    return this.byType.get(type)?.cls;
  }

  /** The stored form of an event instance: its type name, own data and schema version. */
  toNewEvent(event: object, metadata: Record<string, unknown> = {}): NewEvent {
    const { type, version } = eventMetadataOf(event.constructor as EventClass);
    const data = { ...event };
    return {
      type,
      data,
      metadata: version > 1 ? { ...metadata, [EVENT_VERSION_KEY]: version } : metadata,
    };
  }

  /** Rebuilds an instance of the registered class, upcasting older stored data first. */
  instantiate<T = object>(
    type: string,
    data: unknown,
    storedVersion: unknown = 1,
    context?: string,
  ): T {
    const entry = this.byType.get(type);
    if (!entry) throw new UnknownEventTypeError(type, context);
    let current = data;
    const from = storedVersion === undefined || storedVersion === null ? 1 : Number(storedVersion);
    if (!Number.isInteger(from) || from < 1) {
      throw new InvalidArgumentError(
        `${type} schema version`,
        `stored version ${JSON.stringify(storedVersion)} is not an integer ≥ 1${context ? ` (${context})` : ''}`,
      );
    }
    if (from > entry.version) {
      throw new InvalidArgumentError(
        `${type} schema version`,
        `stored version ${from} is newer than this process's version ${entry.version}${context ? ` (${context})` : ''}; deploy the newer event class`,
      );
    }
    for (let v = from; v < entry.version; v++) current = entry.upcast[v](current);
    return assignSafely(Object.create(entry.cls.prototype), current) as T;
  }
}

/** @internal */
export function eventMetadataOf(cls: EventClass): DomainEventMetadata {
  const metadata = getDomainEventMetadata(cls);
  if (!metadata) {
    throw new InvalidArgumentError(
      'event',
      `${cls?.name ?? String(cls)} is not decorated with @DomainEvent()`,
    );
  }
  return metadata;
}

/**
 * Copies own keys as plain data properties: `defineProperty` never invokes the `__proto__`
 * setter, so stored data cannot change the instance's prototype.
 */
function assignSafely(target: object, data: unknown): object {
  if (data === null || typeof data !== 'object') return target;
  for (const key of Object.keys(data)) {
    Object.defineProperty(target, key, {
      value: (data as Record<string, unknown>)[key],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return target;
}
