import type { RedisPoolConfig } from '../broker/pools/redis-pool.options.js';
import type { BrokerOptions } from '../broker/broker.options.js';
import type { RelayOptions } from '../relay/relay.options.js';
import type { FeedServerOptions } from '../feed/feed.options.js';
import type { FluxTracingOption } from '../observability/tracing/enable-flux-tracing.js';
import type { StreamRegistration } from '../broker/registry/stream-registration.js';
import type { EventStoreOptions } from '../event-store/event-store.options.js';

// The option types of each feature live with their feature; re-exported under their old path.
export type { StreamRegistration } from '../broker/registry/stream-registration.js';
export type { EventStoreOptions } from '../event-store/event-store.options.js';
export type { FeedOptions } from '../feed/feed.options.js';

/** Everything `FluxModule.forRoot` accepts. */
export interface FluxModuleOptions {
  eventStore?: EventStoreOptions;
  /**
   * Pool name → URL, ioredis options, or `{ cluster: [nodes], options? }` for a Redis Cluster
   * (docs/cluster.md). `'default'` is the default pool.
   */
  redis?: Record<string, RedisPoolConfig>;
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
  /**
   * OpenTelemetry spans (docs/operations.md): `'auto'` (default) when `@opentelemetry/api` is
   * installed, `true` to require it, `false` for none. Spans are recorded only with an SDK.
   */
  tracing?: FluxTracingOption;
}
