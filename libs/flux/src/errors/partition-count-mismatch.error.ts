import { FluxError } from './flux.error.js';

/**
 * A partitioned stream is registered with another partition count than the one its Redis
 * already routes by: keys would move to other partitions and lose their order.
 */
export class PartitionCountMismatchError extends FluxError {
  constructor(
    readonly stream: string,
    readonly registered: number,
    readonly stored: number,
    readonly countKey: string,
  ) {
    super(
      'PARTITION_COUNT_MISMATCH',
      `Stream "${stream}" is registered with ${registered} partitions, but Redis holds its ` +
        `messages in ${stored} partitions (key "${countKey}"). Changing the count would send a ` +
        `key's messages to another partition, out of order. Register ${stored} partitions, or ` +
        `migrate to a new stream name (docs/partitions.md, "Changing the partition count").`,
    );
  }
}
