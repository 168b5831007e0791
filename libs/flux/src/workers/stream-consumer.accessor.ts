import { Injectable, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { STREAM_CONSUMER_METADATA } from '../module/flux.constants.js';
import type { StreamConsumerMetadata } from './stream-consumer.decorator.js';

/** Reads `@StreamConsumer` metadata; the one place that knows the metadata key. */
@Injectable()
export class StreamConsumerMetadataAccessor {
  constructor(private readonly reflector: Reflector) {}

  isStreamConsumer(target: Type | undefined): boolean {
    return !!target && !!this.getMetadata(target);
  }

  getMetadata(target: Type): StreamConsumerMetadata | undefined {
    return this.reflector.get<StreamConsumerMetadata | undefined>(STREAM_CONSUMER_METADATA, target);
  }
}
