import { getEventHandlers } from './event-handler.decorator.js';

const handlerCache = new WeakMap<Function, Map<Function, string | symbol>>();

/**
 * Base class of event-sourced aggregates. State changes only through `apply(event)`, which runs
 * the `@EventHandler` for the event's class and keeps the event until the repository saves it.
 */
export abstract class AggregateRoot {
  id!: string;
  /** Version of the last stored event: 0 when new; uncommitted events do not change it. */
  version = 0;
  #uncommitted: object[] = [];

  /** Runs the handler for `event` and records it as uncommitted. */
  protected apply(event: object): void {
    this.route(event);
    this.#uncommitted.push(event);
  }

  getUncommittedEvents(): object[] {
    return [...this.#uncommitted];
  }

  /** @internal Folds a stored event into state without recording it. */
  replay(event: object): void {
    this.route(event);
  }

  /** @internal Called by the repository once the events are stored. */
  markCommitted(version: number): void {
    this.version = version;
    this.#uncommitted = [];
  }

  private route(event: object): void {
    const method = handlersOf(this.constructor).get(event.constructor);
    if (method !== undefined) (this as any)[method](event);
  }
}

function handlersOf(cls: Function): Map<Function, string | symbol> {
  let handlers = handlerCache.get(cls);
  if (!handlers) {
    handlers = new Map(getEventHandlers(cls).map((h) => [h.event, h.methodName]));
    handlerCache.set(cls, handlers);
  }
  return handlers;
}
