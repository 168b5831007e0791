import type { PoolClient } from '../broker/pools/redis-pools.js';
import type { MessageCodec } from '../broker/codec/message-codec.js';
import type { StreamRegistry } from '../broker/registry/stream-registry.js';
import type { EventStore } from '../event-store/event-store.js';
import type { FluxInstrumentation } from '../observability/flux-instrumentation.js';

/** @internal */
export interface EventRelayConfig {
  store: EventStore;
  /** Resolves stream names to keys (and caps) on this relay's pool. */
  registry: StreamRegistry;
  /** The broker's message encoding, so relayed messages read like published ones. */
  codec: MessageCodec;
  /** Client of the pool holding the streams, the checkpoint and the lock. */
  redis: PoolClient;
  /** Names the checkpoint and the lock within the store's keys (see `relayKeys`). */
  name: string;
  /** Prepended to the relay's keys (the broker's `keyPrefix`); default none. */
  keyPrefix?: string;
  /** Leadership lock time-to-live in ms. */
  lockTtl: number;
  /** Aggregate name → stream, for the streams on this relay's pool. */
  streams: Map<string, string>;
  batchSize: number;
  pollInterval: number;
  /** Earlier checkpoints kept to find where a rewound store still agrees; default 64. */
  historySize?: number;
  /**
   * Expiry (ms) of the checkpoint keys, renewed at every publish; default none. For stores that
   * die with the process (the memory store), whose checkpoints no later run can use.
   */
  checkpointTtl?: number;
  /** Counts relayed messages as published (metrics). */
  instrumentation?: FluxInstrumentation;
  logger?: { log(message: string): void; warn(message: string): void; error?(m: string): void };
}

export interface RelayStatus {
  leader: boolean;
  /** Identity of the event store relayed (null until first read). */
  storeId: string | null;
  /** Position of the last event published (or passed over) and checkpointed. */
  checkpoint: number | null;
  /** Id of the event at `checkpoint`, verified against the store every round. */
  checkpointEventId: string | null;
  published: number;
  /** Time of the last successful round, empty or not (ms since epoch). */
  lastRoundAt: number | null;
  lastError: string | null;
}
