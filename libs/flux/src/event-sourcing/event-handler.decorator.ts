import { EVENT_HANDLERS_METADATA } from '../metadata.constants.js';

export type EventClass<T = any> = abstract new (...args: any[]) => T;

/** @internal */
export interface EventHandlerBinding {
  event: EventClass;
  methodName: string | symbol;
}

/**
 * Routes an event class to this method: on an aggregate it folds the event into state; on a
 * `@StreamConsumer` or `@FeedSubscriber` it handles the delivered event.
 */
export function EventHandler(event: EventClass): MethodDecorator {
  return (target, methodName) => {
    const owner = target.constructor;
    const inherited: EventHandlerBinding[] =
      Reflect.getMetadata(EVENT_HANDLERS_METADATA, owner) ?? [];
    Reflect.defineMetadata(EVENT_HANDLERS_METADATA, [...inherited, { event, methodName }], owner);
  };
}

/**
 * Handler bindings of a class, its own and inherited.
 * @internal
 */
export function getEventHandlers(target: Function): EventHandlerBinding[] {
  return Reflect.getMetadata(EVENT_HANDLERS_METADATA, target) ?? [];
}
