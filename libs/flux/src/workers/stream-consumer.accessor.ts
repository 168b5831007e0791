import { Injectable, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { STREAM_CONSUMER_METADATA } from '../metadata.constants.js';
import type { StreamConsumerMetadata } from './stream-consumer.decorator.js';

/**
 * Reads `@StreamConsumer` metadata; the one place that knows the metadata key.
 * @internal
 */
@Injectable()
export class StreamConsumerMetadataAccessor {
  constructor(private readonly reflector: Reflector) {}

  getMetadata(target: Type): StreamConsumerMetadata | undefined {
    return this.reflector.get<StreamConsumerMetadata | undefined>(STREAM_CONSUMER_METADATA, target);
  }
}
