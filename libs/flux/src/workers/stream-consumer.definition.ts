import type { EventRoutes } from './typed-message-handler.js';
import type { ResolvedStreamConsumerOptions } from './stream-consumer.options.js';

/**
 * A validated `@StreamConsumer` provider: everything needed to start its workers.
 * @internal
 */
export interface StreamConsumerDefinition {
  className: string;
  instance: Record<string | symbol, unknown>;
  stream: string;
  options: ResolvedStreamConsumerOptions;
  /** Typed dispatch through `@EventHandler` routes, or raw batches to `handle(events)`. */
  handlers: { kind: 'typed'; routes: EventRoutes } | { kind: 'raw' };
}
