/** The metadata keys live beside the decorators (a leaf file); re-exported for the module barrel. */
export {
  AGGREGATE_METADATA,
  DOMAIN_EVENT_METADATA,
  EVENT_HANDLERS_METADATA,
  FEED_SUBSCRIBER_METADATA,
  STREAM_CONSUMER_METADATA,
} from '../metadata.constants.js';
