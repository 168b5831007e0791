import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';
import { MAX_FEED_LIMIT } from '../feed.options.js';
import type { FeedConsumerOptions, FeedLogger, FeedMode } from './feed-consumer.types.js';

const MODES: FeedMode[] = ['poll', 'sse', 'auto'];

/** Logs warnings and errors to the console; debug and info stay quiet unless a logger is given. */
const consoleLogger: FeedLogger = {
  warn: (message) => console.warn(message),
  error: (message) => console.error(message),
};

/**
 * The options with every default applied.
 * @internal
 */
export type ResolvedConsumerOptions = ReturnType<typeof validateConsumerOptions>;

/**
 * Checks the options once, at construction, and fills in the defaults.
 * @internal
 */
export function validateConsumerOptions(options: FeedConsumerOptions) {
  const where = `FeedConsumer "${options?.name}"`;
  try {
    new URL(options.url);
  } catch {
    throw new InvalidArgumentError(
      `${where} url`,
      `expected an absolute http(s) URL, got ${JSON.stringify(options.url)}`,
    );
  }
  if (typeof options.name !== 'string' || options.name.length === 0) {
    throw new InvalidArgumentError(
      'FeedConsumer name',
      'expected a non-empty string (the offset key)',
    );
  }
  const mode = options.mode ?? 'auto';
  if (!MODES.includes(mode))
    throw new InvalidArgumentError(
      `${where} mode`,
      `expected one of ${MODES.join(', ')}, got ${mode}`,
    );
  if (
    typeof options.offsetStore?.get !== 'function' ||
    typeof options.offsetStore?.save !== 'function'
  ) {
    throw new InvalidArgumentError(
      `${where} offsetStore`,
      'expected an object with get(name) and save(name, position)',
    );
  }
  if (!Array.isArray(options.events))
    throw new InvalidArgumentError(`${where} events`, 'expected an array of event classes');
  const pageSize = options.pageSize ?? 100;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_FEED_LIMIT) {
    throw new InvalidArgumentError(
      `${where} pageSize`,
      `expected an integer from 1 to ${MAX_FEED_LIMIT}, got ${pageSize}`,
    );
  }
  return {
    url: options.url,
    name: options.name,
    mode,
    pageSize,
    offsetStore: options.offsetStore,
    interval: positive(`${where} interval`, options.interval),
    idleTimeout: positive(`${where} idleTimeout`, options.idleTimeout ?? 60_000),
    requestTimeout: positive(`${where} requestTimeout`, options.requestTimeout ?? 30_000),
    lease: options.lease ?? true,
    leaseTtl: positive(`${where} leaseTtl`, options.leaseTtl ?? 10_000),
    backoff: {
      initial: positive(`${where} backoff.initial`, options.backoff?.initial ?? 500),
      max: positive(`${where} backoff.max`, options.backoff?.max ?? 30_000),
    },
    logger: options.logger ?? consoleLogger,
  };
}

function positive(field: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(
      field,
      `expected a positive number of milliseconds, got ${value}`,
    );
  }
  return value;
}
