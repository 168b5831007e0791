import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';
import type { RegisteredStream } from '../registry/stream-registry.js';

/**
 * A consumer name unique to this process and call: host, pid and random bytes.
 * @internal
 */
export function uniqueConsumerName(): string {
  return `consumer-${hostname()}-${process.pid}-${randomBytes(6).toString('hex')}`;
}

/**
 * The partition a consumer reads: required and in range on a partitioned stream, absent on an
 * unpartitioned one.
 * @internal
 */
export function checkPartition(
  stream: RegisteredStream,
  partition: number | undefined,
): number | undefined {
  const count = stream.partitions;
  if (count === undefined) {
    if (partition === undefined) return undefined;
    throw new InvalidArgumentError(
      `partition of a consumer of stream "${stream.name}"`,
      'the stream is not partitioned; leave the option out',
    );
  }
  if (
    partition === undefined ||
    !Number.isInteger(partition) ||
    partition < 0 ||
    partition >= count
  ) {
    throw new InvalidArgumentError(
      `partition of a consumer of stream "${stream.name}"`,
      `the stream has ${count} partitions: pass { partition } from 0 to ${count - 1}, got ` +
        `${String(partition)}`,
    );
  }
  return partition;
}

/**
 * What is wrong with `consume`/`autoClaim` arguments, before anything reaches Redis.
 * @internal
 */
export function readArgumentsError(
  count: number,
  waitName: 'blockMs' | 'minIdleMs',
  waitMs: number,
  handler: unknown,
): InvalidArgumentError | undefined {
  if (!Number.isInteger(count) || count < 1) {
    return new InvalidArgumentError('count', `must be a positive integer, got ${count}`);
  }
  if (!Number.isInteger(waitMs) || waitMs < 0) {
    return new InvalidArgumentError(waitName, `must be an integer ≥ 0, got ${waitMs}`);
  }
  if (typeof handler !== 'function') {
    return new InvalidArgumentError('handler', 'must be a function receiving the batch');
  }
  return undefined;
}
