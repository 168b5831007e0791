/**
 * Metadata keys of the decorators, namespaced so they never collide with other libraries'
 * metadata. A leaf of the dependency graph: the decorators (event-sourcing, workers, feed) and
 * the module's explorers both read them, so they live below both.
 * @internal
 */
export const DOMAIN_EVENT_METADATA = 'flux:domain_event';
/** @internal */
export const AGGREGATE_METADATA = 'flux:aggregate';
/** @internal */
export const EVENT_HANDLERS_METADATA = 'flux:event_handlers';
/** @internal */
export const STREAM_CONSUMER_METADATA = 'flux:stream_consumer';
/** @internal */
export const FEED_SUBSCRIBER_METADATA = 'flux:feed_subscriber';
