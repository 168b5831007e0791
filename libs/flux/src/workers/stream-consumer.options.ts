import { InvalidArgumentError } from '../errors/invalid-argument.error.js';

/** Options of `@StreamConsumer(stream, options)`. Every field has a default. */
export interface StreamConsumerOptions {
  /** Consumer group; default: the class name. Each group gets every message of the stream. */
  group?: string;
  /**
   * `'single'` (default): messages handled one by one in stream order; across replicas of the
   * application exactly one process reads the group at a time (a lease in Redis), the others
   * stand by. `'many'`: `consumers` parallel consumers with unique names, no order.
   */
  mode?: 'single' | 'many';
  /**
   * `mode: 'many'`: parallel consumers in this process (per partition on a partitioned
   * stream); default 1. `mode: 'single'` on a partitioned stream: the most partitions this
   * process holds; default all of them.
   */
  consumers?: number;
  /** Messages read per batch; default 100. */
  count?: number;
  /**
   * Messages of a batch handled at once; default 1 (one by one). `mode: 'single'`: messages
   * with the same key — the value of the stream's partition key tag, `aggregate_id` unless the
   * stream names another — are never handled at once and keep stream order; different keys run
   * side by side. A failing message and the later ones of its key are redelivered in order; the
   * other keys' messages are acked. `mode: 'many'`: any messages of the batch at once (a raw
   * `handle(events)` gets one call per key).
   */
  concurrency?: number;
  /** How long a read blocks waiting for new messages, in ms; default 2000. */
  block?: number;
  /** A message that failed on its `maxDeliveries`-th delivery goes to `<stream>:dead`; default 5. */
  maxDeliveries?: number;
  /**
   * Pending messages idle longer than this (ms) are reclaimed from dead consumers, checked every
   * `claimIdle` ms; default 30000. Keep it above the longest time a batch takes to handle.
   */
  claimIdle?: number;
  /**
   * Single mode: time-to-live of the group's lease in ms, default 10000. A replica that crashes
   * is replaced within this time (a graceful close hands over at once); keep it above the
   * longest stall of a process (GC pause, CPU starvation), or the lease moves while it works
   * (safe: the stale holder's acks are refused, its messages redelivered in order). On a
   * partitioned stream each partition has a lease of this time-to-live.
   */
  leaseTtl?: number;
  /** Ack and log messages whose `type` this application does not know instead of dead-lettering them. */
  ignoreUnknown?: boolean;
  /** First delay after a failed batch or a lost connection, in ms; doubles each time. Default 100. */
  retryDelay?: number;
  /** Cap of the doubling delay, in ms; default 10000. */
  maxRetryDelay?: number;
}

/**
 * Options with every default applied; what a worker runs with.
 * @internal
 */
export type ResolvedStreamConsumerOptions = Required<StreamConsumerOptions>;

/**
 * The defaults documented on {@link StreamConsumerOptions} (group and consumers are resolved per class).
 * @internal
 */
export const STREAM_CONSUMER_DEFAULTS = {
  mode: 'single',
  consumers: 1,
  count: 100,
  concurrency: 1,
  block: 2000,
  maxDeliveries: 5,
  claimIdle: 30_000,
  leaseTtl: 10_000,
  ignoreUnknown: false,
  retryDelay: 100,
  maxRetryDelay: 10_000,
} as const;

const POSITIVE_INTEGERS = [
  'consumers',
  'count',
  'concurrency',
  'maxDeliveries',
  'claimIdle',
  'leaseTtl',
  'retryDelay',
  'maxRetryDelay',
] as const;

/**
 * Applies the defaults and rejects malformed values, naming the consumer class. `partitions`:
 * the stream's partition count when it is partitioned.
 * @internal
 */
export function resolveStreamConsumerOptions(
  className: string,
  options: StreamConsumerOptions,
  partitions?: number,
): ResolvedStreamConsumerOptions {
  const leased = partitions !== undefined && (options.mode ?? 'single') === 'single';
  const resolved: ResolvedStreamConsumerOptions = {
    ...STREAM_CONSUMER_DEFAULTS,
    group: className,
    ...(leased ? { consumers: partitions } : {}),
    ...definedOnly(options),
  };
  const invalid = (field: string, reason: string) =>
    new InvalidArgumentError(`@StreamConsumer option "${field}" of ${className}`, reason);
  if (resolved.mode !== 'single' && resolved.mode !== 'many') {
    throw invalid('mode', `expected 'single' or 'many', got ${String(resolved.mode)}`);
  }
  if (typeof resolved.group !== 'string' || resolved.group === '') {
    throw invalid('group', 'expected a non-empty string');
  }
  for (const field of POSITIVE_INTEGERS) {
    if (!Number.isInteger(resolved[field]) || resolved[field] < 1) {
      throw invalid(field, `expected an integer ≥ 1, got ${String(resolved[field])}`);
    }
  }
  // 0 is a valid block (XREADGROUP BLOCK 0 waits forever), but it would make shutdown wait forever.
  if (!Number.isInteger(resolved.block) || resolved.block < 1) {
    throw invalid('block', `expected an integer ≥ 1 (ms), got ${String(resolved.block)}`);
  }
  if (resolved.mode === 'single' && !leased && resolved.consumers !== 1) {
    throw invalid('consumers', "mode 'single' has exactly one consumer; use mode 'many'");
  }
  return resolved;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
