import { PoolNotConfiguredError } from '../../errors/pool-not-configured.error.js';
import { StreamNotRegisteredError } from '../../errors/stream-not-registered.error.js';
import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';
import type { StreamRegistration } from './stream-registration.js';
import { DEFAULT_PARTITION_KEY, DEFAULT_POOL } from '../broker.constants.js';
import { partitionStreamKey } from '../partitions/partition-keys.js';
import type { DurableOption } from './stream-registration.js';

/**
 * Upper bound of `partitions`: each partition is a stream and, in workers, a reading loop.
 * @internal
 */
export const MAX_PARTITIONS = 1024;

/**
 * A registered stream with everything resolved: pool, Redis key and optional cap.
 * @internal
 */
export interface RegisteredStream {
  readonly name: string;
  readonly pool: string;
  /** `keyPrefix + name`. */
  readonly key: string;
  /** Per partition when partitioned. */
  readonly maxLen?: number;
  readonly durable?: DurableOption;
  /** Number of partitions; undefined on an unpartitioned stream. */
  readonly partitions?: number;
  /** Tag routing messages to partitions (default `'aggregate_id'`); set when partitioned. */
  readonly partitionKey?: string;
  /** Redis key of each partition (`<key>:p<n>`); set when partitioned. */
  readonly partitionKeys?: readonly string[];
}

/**
 * The streams the broker may use. Registration checks that the pool is configured, so a typo
 * fails at bootstrap rather than at the first publish.
 * @internal
 */
export class StreamRegistry {
  private readonly streams = new Map<string, RegisteredStream>();

  /**
   * @param pools names of the configured pools (or a predicate)
   * @param keyPrefix prefix of every stream key
   */
  constructor(
    private readonly pools: { has(pool: string): boolean },
    readonly keyPrefix = '',
  ) {}

  /** Registers a stream; the same name again is fine on the same pool, an error on another. */
  register(registration: string | StreamRegistration): RegisteredStream {
    const reg = typeof registration === 'string' ? { name: registration } : registration;
    if (typeof reg.name !== 'string' || reg.name === '') {
      throw new InvalidArgumentError('stream name', 'must be a non-empty string');
    }
    const pool = reg.pool ?? DEFAULT_POOL;
    if (!this.pools.has(pool)) throw new PoolNotConfiguredError(pool, reg.name);
    if (reg.maxLen !== undefined && !(Number.isInteger(reg.maxLen) && reg.maxLen > 0)) {
      throw new InvalidArgumentError(
        `maxLen of stream "${reg.name}"`,
        'must be a positive integer',
      );
    }
    if (reg.durable !== undefined) assertDurable(reg.name, reg.durable);
    checkPartitioning(reg);
    const existing = this.streams.get(reg.name);
    if (existing) {
      if (existing.pool !== pool) {
        throw new InvalidArgumentError(
          `pool of stream "${reg.name}"`,
          `registered on pool "${existing.pool}" and again on pool "${pool}"; a stream lives on one pool`,
        );
      }
      if (reg.durable !== undefined && !sameDurable(reg.durable, existing.durable)) {
        throw new InvalidArgumentError(
          `durable of stream "${reg.name}"`,
          'registered twice with different replica requirements',
        );
      }
      if (
        reg.maxLen !== undefined &&
        existing.maxLen !== undefined &&
        reg.maxLen !== existing.maxLen
      ) {
        throw new InvalidArgumentError(
          `maxLen of stream "${reg.name}"`,
          `registered with ${existing.maxLen} and again with ${reg.maxLen}`,
        );
      }
      // A registration by name only (e.g. `forFeature({ streams: ['orders'] })`) refers to the
      // stream as registered; one that partitions it must agree with an earlier one.
      if (
        reg.partitions !== undefined &&
        existing.partitions !== undefined &&
        (reg.partitions !== existing.partitions ||
          (reg.partitionKey ?? DEFAULT_PARTITION_KEY) !== existing.partitionKey)
      ) {
        throw new InvalidArgumentError(
          `partitions of stream "${reg.name}"`,
          `registered with ${describePartitioning(existing)} and again with ` +
            `${describePartitioning(reg)}; register it the same way everywhere`,
        );
      }
      const addsCap = reg.maxLen !== undefined && existing.maxLen === undefined;
      const addsPartitions = reg.partitions !== undefined && existing.partitions === undefined;
      if (!addsCap && !addsPartitions) return existing;
    }
    const maxLen = reg.maxLen ?? existing?.maxLen;
    const partitions = reg.partitions ?? existing?.partitions;
    const key = this.keyPrefix + reg.name;
    const stream: { -readonly [K in keyof RegisteredStream]: RegisteredStream[K] } = {
      name: reg.name,
      pool,
      key,
    };
    if (maxLen !== undefined) stream.maxLen = maxLen;
    const durable = reg.durable ?? existing?.durable;
    if (durable !== undefined) stream.durable = durable;
    if (partitions !== undefined) {
      stream.partitions = partitions;
      stream.partitionKey = reg.partitionKey ?? existing?.partitionKey ?? DEFAULT_PARTITION_KEY;
      stream.partitionKeys = Array.from({ length: partitions }, (_, p) =>
        partitionStreamKey(key, p),
      );
    }
    this.streams.set(reg.name, stream);
    return stream;
  }

  /** The registration of `name`; throws `StreamNotRegisteredError`. */
  get(name: string): RegisteredStream {
    const stream = this.streams.get(name);
    if (!stream) throw new StreamNotRegisteredError(name);
    return stream;
  }

  /** Whether `name` is registered. */
  has(name: string): boolean {
    return this.streams.has(name);
  }

  /** Every registered stream, in registration order. */
  all(): RegisteredStream[] {
    return [...this.streams.values()];
  }
}

function assertDurable(stream: string, durable: DurableOption): void {
  if (!(Number.isInteger(durable?.replicas) && durable.replicas > 0)) {
    throw new InvalidArgumentError(
      `durable.replicas of stream "${stream}"`,
      'must be a positive integer',
    );
  }
  const timeout = durable.timeoutMs;
  if (timeout !== undefined && !(Number.isInteger(timeout) && timeout > 0)) {
    throw new InvalidArgumentError(
      `durable.timeoutMs of stream "${stream}"`,
      'must be a positive integer (WAIT with 0 would block forever)',
    );
  }
}

function checkPartitioning(reg: StreamRegistration): void {
  const { partitions, partitionKey } = reg;
  if (partitions === undefined) {
    if (partitionKey !== undefined) {
      throw new InvalidArgumentError(
        `partitionKey of stream "${reg.name}"`,
        'only a partitioned stream has one; set partitions as well',
      );
    }
    return;
  }
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
    throw new InvalidArgumentError(
      `partitions of stream "${reg.name}"`,
      `must be an integer from 1 to ${MAX_PARTITIONS}, got ${String(partitions)}`,
    );
  }
  if (partitionKey !== undefined && (typeof partitionKey !== 'string' || partitionKey === '')) {
    throw new InvalidArgumentError(
      `partitionKey of stream "${reg.name}"`,
      'must be the name of a tag (a non-empty string)',
    );
  }
}

function sameDurable(a: DurableOption, b: DurableOption | undefined): boolean {
  return b !== undefined && a.replicas === b.replicas && a.timeoutMs === b.timeoutMs;
}

function describePartitioning(reg: { partitions?: number; partitionKey?: string }): string {
  if (reg.partitions === undefined) return 'no partitions';
  return `${reg.partitions} partitions by "${reg.partitionKey ?? DEFAULT_PARTITION_KEY}"`;
}
