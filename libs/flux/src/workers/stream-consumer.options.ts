import { InvalidArgumentError } from '../errors/invalid-argument.error.js';

/** Options of `@StreamConsumer(stream, options)`. Every field has a default. */
export interface StreamConsumerOptions {
  /** Consumer group; default: the class name. Each group gets every message of the stream. */
  group?: string;
  /**
   * `'single'` (default): one consumer named `consumer-single`, messages handled one by one in
   * stream order. `'many'`: `consumers` parallel consumers with unique names, no order.
   */
  mode?: 'single' | 'many';
  /** Parallel consumers in this process for `mode: 'many'`; default 1. */
  consumers?: number;
  /** Messages read per batch; default 100. */
  count?: number;
  /** How long a read blocks waiting for new messages, in ms; default 2000. */
  block?: number;
  /** A message that failed on its `maxDeliveries`-th delivery goes to `<stream>:dead`; default 5. */
  maxDeliveries?: number;
  /**
   * Pending messages idle longer than this (ms) are reclaimed from dead consumers, checked every
   * `claimIdle` ms; default 30000. Keep it above the longest time a batch takes to handle.
   */
  claimIdle?: number;
  /** Ack and log messages whose `type` this application does not know instead of dead-lettering them. */
  ignoreUnknown?: boolean;
  /** First delay after a failed batch or a lost connection, in ms; doubles each time. Default 100. */
  retryDelay?: number;
  /** Cap of the doubling delay, in ms; default 10000. */
  maxRetryDelay?: number;
}

/** Options with every default applied; what a worker runs with. */
export type ResolvedStreamConsumerOptions = Required<StreamConsumerOptions>;

/** The defaults documented on {@link StreamConsumerOptions} (group and consumers are resolved per class). */
export const STREAM_CONSUMER_DEFAULTS = {
  mode: 'single',
  consumers: 1,
  count: 100,
  block: 2000,
  maxDeliveries: 5,
  claimIdle: 30_000,
  ignoreUnknown: false,
  retryDelay: 100,
  maxRetryDelay: 10_000,
} as const;

const POSITIVE_INTEGERS = [
  'consumers',
  'count',
  'maxDeliveries',
  'claimIdle',
  'retryDelay',
  'maxRetryDelay',
] as const;

/** Applies the defaults and rejects malformed values, naming the consumer class. */
export function resolveStreamConsumerOptions(
  className: string,
  options: StreamConsumerOptions,
): ResolvedStreamConsumerOptions {
  const resolved: ResolvedStreamConsumerOptions = {
    ...STREAM_CONSUMER_DEFAULTS,
    group: className,
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
  if (resolved.mode === 'single' && resolved.consumers !== 1) {
    throw invalid('consumers', "mode 'single' has exactly one consumer; use mode 'many'");
  }
  return resolved;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
