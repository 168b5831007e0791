import { SetMetadata } from '@nestjs/common';
import { STREAM_CONSUMER_METADATA } from '../metadata.constants.js';
import type { StreamConsumerOptions } from './stream-consumer.options.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';

/**
 * What `@StreamConsumer` stores on the class; read back by `StreamConsumerMetadataAccessor`.
 * @internal
 */
export interface StreamConsumerMetadata {
  stream: string;
  options: StreamConsumerOptions;
}

/**
 * Makes a provider a consumer-group worker of a registered stream, started on application
 * bootstrap and stopped gracefully on shutdown. The class either routes events to methods with
 * `@EventHandler(EventClass)` (called with the event instance and the `StreamEvent`), or
 * implements `handle(events: StreamEvent[])` for raw batches.
 *
 * Defaults: group = class name, mode `'single'`, count 100, block 2000 ms, maxDeliveries 5,
 * claimIdle 30000 ms (see {@link StreamConsumerOptions}).
 */
export function StreamConsumer(
  stream: string,
  options: StreamConsumerOptions = {},
): ClassDecorator {
  if (typeof stream !== 'string' || stream === '') {
    throw new InvalidArgumentError('@StreamConsumer(stream)', 'stream must be a non-empty string');
  }
  return SetMetadata<string, StreamConsumerMetadata>(STREAM_CONSUMER_METADATA, {
    stream,
    options: { ...options },
  });
}
