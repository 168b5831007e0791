import { PoolNotConfiguredError } from '../errors/pool-not-configured.error.js';
import { StreamNotRegisteredError } from '../errors/stream-not-registered.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import type { StreamRegistration } from '../module/flux-module-options.interface.js';
import { DEFAULT_POOL } from './broker.constants.js';

/** A registered stream with everything resolved: pool, Redis key and optional cap. */
export interface RegisteredStream {
  readonly name: string;
  readonly pool: string;
  /** `keyPrefix + name`. */
  readonly key: string;
  readonly maxLen?: number;
}

/**
 * The streams the broker may use. Registration checks that the pool is configured, so a typo
 * fails at bootstrap rather than at the first publish.
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
    const existing = this.streams.get(reg.name);
    if (existing) {
      if (existing.pool !== pool) {
        throw new InvalidArgumentError(
          `pool of stream "${reg.name}"`,
          `registered on pool "${existing.pool}" and again on pool "${pool}"; a stream lives on one pool`,
        );
      }
      if (reg.maxLen === undefined || reg.maxLen === existing.maxLen) return existing;
      if (existing.maxLen !== undefined) {
        throw new InvalidArgumentError(
          `maxLen of stream "${reg.name}"`,
          `registered with ${existing.maxLen} and again with ${reg.maxLen}`,
        );
      }
    }
    const key = this.keyPrefix + reg.name;
    const stream: RegisteredStream =
      reg.maxLen === undefined
        ? { name: reg.name, pool, key }
        : { name: reg.name, pool, key, maxLen: reg.maxLen };
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
