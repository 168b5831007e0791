import { Inject, Injectable } from '@nestjs/common';
import { EventBroker } from '../broker/event-broker.js';
import { RedisPools } from '../broker/pools/redis-pools.js';
import type { StreamGroupStatistics } from '../broker/statistics/stream-statistics.js';
import { type RegisteredStream, StreamRegistry } from '../broker/registry/stream-registry.js';
import { deadLetterStreamOf } from '../workers/dead-letter.js';

/** One stream as the board shows it. */
export interface BoardStream {
  stream: string;
  pool: string;
  /** False while nothing was ever published (the Redis key does not exist). */
  exists: boolean;
  len: number;
  oldestEventSeconds: number;
  groups: StreamGroupStatistics[];
  /** Entries in `<stream>:dead`. */
  deadLetters: number;
  /** Set when Redis could not be read for this stream; the other fields are then zero. */
  error?: string;
  /** A partitioned stream: each partition's length and, per group, lag, pending and holder. */
  partitions?: BoardPartition[];
}

/**
 * One partition of a partitioned stream as the board shows it.
 * @internal
 */
export interface BoardPartition {
  partition: number;
  len: number;
  groups: { group: string; lag: number; pending: number; holder: string | null }[];
}

const DEAD_SUFFIX = deadLetterStreamOf('');

/**
 * Statistics of every registered stream for the board. Dead-letter streams are folded into
 * their stream as a count rather than listed apart. One unreachable pool only marks its own
 * streams as failed, so the page still shows the rest.
 * @internal
 */
@Injectable()
export class StreamsOverview {
  constructor(
    @Inject(EventBroker) private readonly broker: EventBroker,
    @Inject(StreamRegistry) private readonly registry: StreamRegistry,
    @Inject(RedisPools) private readonly pools: RedisPools,
  ) {}

  /** Every registered stream except dead-letter streams, in registration order. */
  list(): Promise<BoardStream[]> {
    const streams = this.registry.all().filter((s) => !s.name.endsWith(DEAD_SUFFIX));
    return Promise.all(streams.map((stream) => this.describe(stream)));
  }

  private async describe(stream: RegisteredStream): Promise<BoardStream> {
    const base = { stream: stream.name, pool: stream.pool };
    const absent = { exists: false, len: 0, oldestEventSeconds: 0, groups: [] };
    const deadKey = this.registry.keyPrefix + deadLetterStreamOf(stream.name);
    try {
      const [stats, deadLetters] = await Promise.all([
        this.broker.getStreamStatistics(stream.name),
        this.pools.get(stream.pool, stream.name).xlen(deadKey),
      ]);
      if (!stats) return { ...base, ...absent, deadLetters };
      const { len, oldestEventSeconds, groups } = stats;
      const described = { ...base, exists: true, len, oldestEventSeconds, groups, deadLetters };
      if (!stats.partitions) return described;
      const partitions = stats.partitions.map((p) => ({
        partition: p.partition!,
        len: p.len,
        groups: p.groups.map(({ group, lag, pending, leaseHolder }) => ({
          group,
          lag,
          pending,
          holder: leaseHolder,
        })),
      }));
      return { ...described, partitions };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { ...base, ...absent, deadLetters: 0, error: message };
    }
  }
}
