/** Health and counters of one stream worker (one consumer loop), for health checks and metrics. */
export interface StreamWorkerStatus {
  /** The consumer class. */
  consumer: string;
  stream: string;
  group: string;
  mode: 'single' | 'many';
  /** The partition this loop reads, on a partitioned stream; undefined otherwise. */
  partition: number | undefined;
  /**
   * Single mode: `'held'` when this replica holds the group's lease and reads, `'standby'` when
   * another replica does and this one waits to take over (healthy). Undefined in many mode.
   */
  lease: 'held' | 'standby' | undefined;
  /** Redis consumer name; `undefined` until the consumer could be created. */
  consumerName: string | undefined;
  /** The loop is alive (started and not stopped). See `connected` and `lastReadAt` for health. */
  running: boolean;
  /** The last read (or connection attempt) succeeded; `false` during a Redis outage. */
  connected: boolean;
  /** Time of the last successful read, empty or not. Stale beyond `block` + a margin = stuck. */
  lastReadAt: Date | undefined;
  /** Messages handled successfully (including those with no handler in this class). */
  processed: number;
  /** Handler failures (each failed attempt counts). */
  failed: number;
  /** Messages moved to `<stream>:dead`. */
  deadLettered: number;
  /** Message of the last read or connection error, if any; cleared when reads succeed again. */
  lastError: string | undefined;
}
