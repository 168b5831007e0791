/** How many replicas must hold a publish before it resolves (`StreamRegistration.durable`). */
export interface DurableOption {
  /** Replicas that must acknowledge each publish (Redis `WAIT`); at least 1. */
  replicas: number;
  /** How long to wait for them; default 1000 ms. */
  timeoutMs?: number;
}

/** A stream the broker may use, with where it lives and how it is written. */
export interface StreamRegistration {
  name: string;
  /** Redis pool the stream lives on; default `'default'`. */
  pool?: string;
  /** Approximate cap (`MAXLEN ~`), never trimming what a consumer group has not acknowledged. */
  maxLen?: number;
  /**
   * Every publish to this stream resolves only once this many replicas hold it (Redis `WAIT`),
   * so it survives a failover of its master; fewer in time: `ReplicationTimeoutError`.
   * Without it, replication is asynchronous (docs/cluster.md, "What a failover can lose").
   */
  durable?: DurableOption;
  /**
   * Split the stream into this many Redis streams (docs/partitions.md): messages with the same
   * `partitionKey` tag go to one partition, in order; partitions are consumed in parallel.
   */
  partitions?: number;
  /** Tag whose value picks the partition; default `'aggregate_id'`. Only with `partitions`. */
  partitionKey?: string;
}
