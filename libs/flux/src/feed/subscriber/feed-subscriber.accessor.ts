import { Injectable, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FEED_SUBSCRIBER_METADATA } from '../../metadata.constants.js';
import type { FeedSubscriberMetadata } from './feed-subscriber.decorator.js';

/**
 * Reads `@FeedSubscriber` metadata; the one place that knows the metadata key.
 * @internal
 */
@Injectable()
export class FeedSubscriberMetadataAccessor {
  constructor(private readonly reflector: Reflector) {}

  getMetadata(target: Type | undefined): FeedSubscriberMetadata | undefined {
    return target
      ? this.reflector.get<FeedSubscriberMetadata | undefined>(FEED_SUBSCRIBER_METADATA, target)
      : undefined;
  }
}
