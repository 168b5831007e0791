/**
 * Stream field holding the msgpack-encoded body; every other field is a string tag.
 * @internal
 */
export const BODY_FIELD = 'body';

/** Group used when a consumer is created without one. */
export const DEFAULT_GROUP = 'consumer_group';

/** Fixed consumer name of `consumerSingle`: a restart resumes the same pending list. */
export const SINGLE_CONSUMER_NAME = 'consumer-single';

/** Pool a stream lives on when its registration names none. */
export const DEFAULT_POOL = 'default';

/**
 * Tag that routes messages of a partitioned stream when its registration names none.
 * @internal
 */
export const DEFAULT_PARTITION_KEY = 'aggregate_id';
