/** One consumer of a group. */
export interface StreamConsumerStatistics {
  name: string;
  /** Messages delivered to it and not acknowledged yet. */
  pending: number;
  /** Milliseconds since its last attempted interaction (read, claim, ack). */
  idle: number;
}

/** One consumer group of a stream. */
export interface StreamGroupStatistics {
  group: string;
  /** Entries not delivered to the group yet. */
  lag: number;
  /** Entries delivered and not acknowledged yet. */
  pending: number;
  /** Id of the last entry delivered to the group (`'0-0'` when none). */
  lastDeliveredId: string;
  /** Milliseconds since that entry was added (by the Redis clock); 0 when none. */
  lastDeliveredDuration: number;
  /** Id of the oldest pending entry; null when nothing is pending. */
  lowerId: string | null;
  /** Milliseconds since the oldest pending entry was added; 0 when nothing is pending. */
  lowerDuration: number;
  consumers: StreamConsumerStatistics[];
  /**
   * The consumer holding the group's single-mode lease (`@StreamConsumer` with `mode: 'single'`
   * across replicas): the one replica reading; the others stand by. Null when nobody holds it
   * (no single-mode worker, or between a crash and the takeover).
   */
  leaseHolder: string | null;
}

/**
 * Health of one stream. `group` is the default group (`'consumer_group'`) when the stream has
 * it, else the first group by name, and null without groups; `groups` lists every group.
 */
export interface StreamStatistics {
  stream: string;
  redisPool: string;
  /** Entries in the stream (acknowledged entries are deleted, so this is the backlog). */
  len: number;
  /** Age in seconds of the oldest entry still in the stream; 0 when empty. */
  oldestEventSeconds: number;
  group: StreamGroupStatistics | null;
  groups: StreamGroupStatistics[];
  /** The partition these figures describe (inside `partitions`); absent on a whole stream. */
  partition?: number;
  /**
   * A partitioned stream: one entry per partition, in order (an absent partition stream counts
   * as empty). The figures above are then the totals: lengths, lags and pending counts summed,
   * ages of the oldest entry and of the oldest pending entry the maximum over partitions.
   */
  partitions?: StreamStatistics[];
}
