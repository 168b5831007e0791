import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';
import { partitionOf } from './partition-hash.js';
import type { RegisteredStream } from '../registry/stream-registry.js';

/**
 * The Redis key a message with tags `meta` goes to: the stream's key, or on a partitioned stream
 * the key of the partition its partition-key tag hashes to. A partitioned stream refuses a
 * message without that tag: routing it anywhere would break the order of its key.
 * @internal
 */
export function routeKey(
  stream: RegisteredStream,
  meta: Readonly<Record<string, string>> | undefined,
): string {
  const keys = stream.partitionKeys;
  if (keys === undefined) return stream.key;
  const value = meta?.[stream.partitionKey!];
  if (typeof value !== 'string') throw missingPartitionKey(stream);
  return keys[partitionOf(value, keys.length)];
}

function missingPartitionKey(stream: RegisteredStream): InvalidArgumentError {
  return new InvalidArgumentError(
    `tags of a message to stream "${stream.name}"`,
    `the stream has ${stream.partitions} partitions routed by the tag "${stream.partitionKey}", ` +
      `which is missing; pass it in meta (e.g. { ${stream.partitionKey}: '<key>' })`,
  );
}
