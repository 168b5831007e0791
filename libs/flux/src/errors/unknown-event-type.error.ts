import { FluxError } from './flux.error.js';

/** An event type name that no `@DomainEvent` class known to this application carries. */
export class UnknownEventTypeError extends FluxError {
  constructor(
    readonly eventType: string,
    context?: string,
  ) {
    super(
      'UNKNOWN_EVENT_TYPE',
      `Unknown event type "${eventType}"${context ? ` (${context})` : ''}. Declare a class with ` +
        `@DomainEvent('${eventType}') and make it known: an @EventHandler for it, @Aggregate({ events }) ` +
        `or FluxModule.forFeature({ events }).`,
    );
  }
}
