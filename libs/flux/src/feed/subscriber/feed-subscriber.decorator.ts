import { type InjectionToken, SetMetadata } from '@nestjs/common';
import { FEED_SUBSCRIBER_METADATA } from '../../metadata.constants.js';
import type { FeedConsumerOptions, FeedMode } from '../consumer/feed-consumer.types.js';
import type { OffsetStore } from '../offset-store/offset-store.js';
import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';

/** The feed URL, or a function read at bootstrap (e.g. from the environment). */
export type FeedSubscriberUrl = string | (() => string);

/** Options of `@FeedSubscriber(url, options)`. */
export interface FeedSubscriberOptions extends Pick<
  FeedConsumerOptions,
  'pageSize' | 'headers' | 'backoff' | 'idleTimeout' | 'requestTimeout' | 'lease' | 'leaseTtl'
> {
  /** Offset key; default the class name. Unique per application. */
  name?: string;
  /** Poll interval in ms; default 5000. */
  interval?: number;
  /** Default `'auto'`: SSE when the server offers it, polling otherwise. */
  mode?: FeedMode;
  /**
   * Where the offset is kept: `'memory'` (default: restarts from the beginning), an
   * `OffsetStore` instance, or the injection token of a provider implementing `OffsetStore`.
   */
  offsetStore?: 'memory' | OffsetStore | InjectionToken;
}

/**
 * What `@FeedSubscriber` stores on the class.
 * @internal
 */
export interface FeedSubscriberMetadata {
  url: FeedSubscriberUrl;
  options: FeedSubscriberOptions;
}

/**
 * Makes a provider follow another service's HTTP feed: its `@EventHandler(EventClass)` methods
 * are called with `(event, feedEvent)` in position order. Discovered and validated at module
 * init, started on application bootstrap, stopped (after the handler in progress) on shutdown.
 */
export function FeedSubscriber(
  url: FeedSubscriberUrl,
  options: FeedSubscriberOptions = {},
): ClassDecorator {
  if (typeof url !== 'function' && (typeof url !== 'string' || url === '')) {
    throw new InvalidArgumentError(
      '@FeedSubscriber(url)',
      'url must be a non-empty string or a function returning one',
    );
  }
  return SetMetadata<string, FeedSubscriberMetadata>(FEED_SUBSCRIBER_METADATA, {
    url,
    options: { ...options },
  });
}
