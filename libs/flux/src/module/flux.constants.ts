/** Metadata keys, namespaced so they never collide with other libraries' metadata. */
export const DOMAIN_EVENT_METADATA = 'flux:domain_event';
export const AGGREGATE_METADATA = 'flux:aggregate';
export const EVENT_HANDLERS_METADATA = 'flux:event_handlers';
export const STREAM_CONSUMER_METADATA = 'flux:stream_consumer';
export const FEED_SUBSCRIBER_METADATA = 'flux:feed_subscriber';
