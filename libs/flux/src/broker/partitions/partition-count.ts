import { PartitionCountMismatchError } from '../../errors/partition-count-mismatch.error.js';
import type { BrokerRedis } from '../lua/index.js';
import { partitionCountKey } from './partition-keys.js';
import type { RegisteredStream } from '../registry/stream-registry.js';

/**
 * Records the partition count of a partitioned stream in Redis the first time, and checks it
 * every later time: a deployment with another count fails instead of routing keys elsewhere.
 * The key never expires; it is removed by hand as part of a migration (docs/partitions.md).
 * @internal
 */
export async function verifyPartitionCount(
  client: BrokerRedis,
  stream: RegisteredStream,
): Promise<void> {
  const key = partitionCountKey(stream.key);
  const registered = stream.partitions!;
  // SET … NX GET: stores the count when absent and returns what was there, in one command.
  const stored = (await client.call('set', key, String(registered), 'NX', 'GET')) as string | null;
  if (stored === null || Number(stored) === registered) return;
  throw new PartitionCountMismatchError(stream.name, registered, Number(stored), key);
}
