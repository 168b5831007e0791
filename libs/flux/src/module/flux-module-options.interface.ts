import type { RedisOptions } from 'ioredis';
import type { BrokerOptions } from '../broker/broker-options.interface.js';
import type { RelayOptions } from '../relay/relay.options.js';
import type { FeedServerOptions } from '../feed/feed-options.js';

export interface StreamRegistration {
  name: string;
  /** Redis pool the stream lives on; default `'default'`. */
  pool?: string;
  /** Approximate cap (`MAXLEN ~`), never trimming what a consumer group has not acknowledged. */
  maxLen?: number;
}

export type EventStoreOptions =
  | { type: 'memory' }
  | {
      type: 'mysql';
      url: string;
      /** Create/alter the tables at start-up (development, tests). Use the migration in production. */
      synchronize?: boolean;
      /** Prefix of the table names; default `'flux_'`. */
      tablePrefix?: string;
    };

export interface FeedOptions {
  /** Route prefix of the feed; default `'events'`. */
  path?: string;
  /** Default page size of `GET /events`; default 100, at most 1000. */
  pageSize?: number;
}

export interface FluxModuleOptions {
  eventStore?: EventStoreOptions;
  /** Pool name → URL or ioredis options. `'default'` is the default pool. */
  redis?: Record<string, string | RedisOptions>;
  /** Every stream used must be registered. */
  streams?: Array<string | StreamRegistration>;
  /** Mounts the HTTP feed when given (docs/feed.md). Not available through `forRootAsync`. */
  feed?: FeedServerOptions;
  /** Prefix of every Redis key the broker touches (streams, checkpoints, locks). */
  keyPrefix?: string;
  /** Tuning of the broker (message size and nesting limits). */
  broker?: BrokerOptions;
  /** The store → stream relay of aggregates declared with a `stream`. */
  relay?: RelayOptions;
}
