import 'reflect-metadata';

// The public API, named one by one: what is not listed here is internal and may change.
// Nothing below may load an optional peer (typeorm, mysql2, prom-client, @nestjs/terminus,
// @nestjs/cqrs) at import time: the features that need one load it through
// `loadOptionalPeer` when they start (test/packaging proves it).

// Module
export { FluxModule } from './module/flux.module.js';
export type { FluxFeatureOptions } from './module/flux-feature.module.js';
export type { FluxModuleOptions } from './module/flux-module.options.js';
export type { EventStoreOptions } from './event-store/event-store.options.js';
export type { FeedOptions } from './feed/feed.options.js';
export type { StreamRegistration } from './broker/registry/stream-registration.js';
export {
  InjectAggregateRepository,
  getAggregateRepositoryToken,
} from './module/inject-aggregate-repository.decorator.js';

// Events and aggregates
export { Aggregate, type AggregateOptions } from './event-sourcing/aggregate.decorator.js';
export { AggregateRoot } from './event-sourcing/aggregate-root.js';
export {
  AggregateRepository,
  type SaveOptions,
  type UpdateOptions,
} from './event-sourcing/aggregate-repository.js';
export {
  DomainEvent,
  type DomainEventOptions,
  type Upcaster,
} from './event-sourcing/domain-event.decorator.js';
export { EventHandler, type EventClass } from './event-sourcing/event-handler.decorator.js';

// Event stores
export { EventStore, type AppendListener } from './event-store/event-store.js';
export type {
  AppendOptions,
  ExpectedVersion,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  Snapshot,
  StoredEvent,
} from './event-store/event-store.types.js';
export { MAX_ID_LENGTH, MAX_JSON_DEPTH, MAX_TYPE_LENGTH } from './event-store/append-validation.js';
export { MemoryEventStore } from './event-store/memory/memory-event-store.js';
export { MysqlEventStore } from './event-store/mysql/mysql-event-store.js';
export type { MysqlEventStoreOptions } from './event-store/mysql/mysql-event-store.options.js';
export { PostgresEventStore } from './event-store/postgres/postgres-event-store.js';
export type { PostgresEventStoreOptions } from './event-store/postgres/postgres-event-store.options.js';
export {
  CreatePostgresFluxTables1764000000000,
  createPostgresFluxTablesMigration,
} from './event-store/postgres/migrations/1764000000000-create-postgres-flux-tables.js';
export {
  CreateFluxTables1764000000000,
  createFluxTablesMigration,
} from './event-store/mysql/migrations/1764000000000-create-flux-tables.js';
export {
  CreateFluxMeta1796096000000,
  createFluxMetaMigration,
} from './event-store/mysql/migrations/1796096000000-create-flux-meta.js';

// Broker
export { DEFAULT_GROUP, DEFAULT_POOL, SINGLE_CONSUMER_NAME } from './broker/broker.constants.js';
export type { BrokerOptions } from './broker/broker.options.js';
export { BrokerConsumer, type BatchHandler } from './broker/consume/broker-consumer.js';
export { EventBroker, type ConsumerOptions } from './broker/event-broker.js';
export { EventFlusher } from './broker/publish/event-flusher.js';
export { RedisPools, type PoolClient } from './broker/pools/redis-pools.js';
export type { ClusterPoolConfig, RedisPoolConfig } from './broker/pools/redis-pool.options.js';
export type { DurableOption } from './broker/registry/stream-registration.js';
export { fnv1a32, partitionOf } from './broker/partitions/partition-hash.js';
export { partitionStreamKey } from './broker/partitions/partition-keys.js';
export { StreamEvent } from './broker/consume/stream-event.js';
export type {
  StreamConsumerStatistics,
  StreamGroupStatistics,
  StreamStatistics,
} from './broker/statistics/stream-statistics.js';

// Stream workers
export { StreamConsumer } from './workers/stream-consumer.decorator.js';
export type { StreamConsumerOptions } from './workers/stream-consumer.options.js';
export { StreamWorkers } from './workers/stream-workers.orchestrator.js';
export type { StreamWorkerStatus } from './workers/stream-worker-status.js';
export type { PartitionCoordinatorStatus } from './workers/partition-coordinator.js';
export type { LeaseBackend } from './workers/lease/lease-backend.js';
export { RedisLeaseBackend } from './workers/lease/redis-lease-backend.js';
export { StreamLease, type StreamLeaseOptions } from './workers/lease/stream-lease.js';
export { leaseHolderOf, leaseKeyOf } from './broker/consume/lease-key.js';
export { deadLetterStreamOf, type DeadLetterTags } from './workers/dead-letter.js';

// Relay
export { RelayService } from './relay/relay.service.js';
export type { RelayStatus } from './relay/event-relay.js';
export type { RelayOptions } from './relay/relay.options.js';
export type { RelayKeys } from './relay/relay-keys.js';

// HTTP feed and feed consumer
export { FluxFeedModule } from './feed/feed.module.js';
export type { FeedEvent, FeedPage } from './feed/feed-event.js';
export { MAX_FEED_LIMIT, type FeedGuard, type FeedServerOptions } from './feed/feed.options.js';
export { FeedConsumer } from './feed/consumer/feed-consumer.js';
export type {
  FeedConsumerOptions,
  FeedConsumerState,
  FeedConsumerStatus,
  FeedEventHandler,
  FeedLogger,
  FeedMode,
} from './feed/consumer/feed-consumer.types.js';
export type { LeasingOffsetStore, OffsetStore } from './feed/offset-store/offset-store.js';
export { MemoryOffsetStore } from './feed/offset-store/memory-offset-store.js';
export { MysqlOffsetStore } from './feed/offset-store/mysql-offset-store.js';
export { PostgresOffsetStore } from './feed/offset-store/postgres-offset-store.js';
export { RedisOffsetStore } from './feed/offset-store/redis-offset-store.js';
export {
  FeedSubscriber,
  type FeedSubscriberOptions,
  type FeedSubscriberUrl,
} from './feed/subscriber/feed-subscriber.decorator.js';
export { FeedSubscribers } from './feed/subscriber/feed-subscribers.orchestrator.js';

// Operations: health (@nestjs/terminus), metrics (prom-client), instrumentation, admin board
export { FluxHealthIndicator } from './observability/flux-health.indicator.js';
export { FluxHealthModule } from './observability/flux-health.module.js';
export {
  FluxInstrumentation,
  type FluxInstrumentationListener,
} from './observability/flux-instrumentation.js';
export { FluxMetricsModule } from './observability/flux-metrics.module.js';
export {
  createFluxTracer,
  FLUX_TRACER_NAME,
  NOOP_FLUX_TRACER,
  type FluxPublishSpan,
  type FluxSpanAttributes,
  type FluxTracer,
  type FluxTracingOption,
  type TracedMessage,
} from './observability/tracing/index.js';
export type { FluxMetrics, FluxMetricsOptions } from './observability/flux-metrics.js';
export {
  BOARD_REQUEST_HEADER,
  FluxBoardModule,
  type BoardEvent,
  type BoardEventPage,
  type BoardGuard,
  type BoardHistory,
  type BoardStream,
  type DeadLetterPage,
  type DeadLetterView,
  type FluxBoardOptions,
} from './board/index.js';

// Errors
export { FluxError } from './errors/flux.error.js';
export { AggregateNotFoundError } from './errors/aggregate-not-found.error.js';
export { AggregateNotRegisteredError } from './errors/aggregate-not-registered.error.js';
export { ConcurrencyError } from './errors/concurrency.error.js';
export { EventStoreUnavailableError } from './errors/event-store-unavailable.error.js';
export { InvalidArgumentError } from './errors/invalid-argument.error.js';
export { MissingPeerDependencyError } from './errors/missing-peer-dependency.error.js';
export { RelayCheckpointMismatchError } from './errors/relay-checkpoint-mismatch.error.js';
export { BoardNotGuardedError } from './errors/board-not-guarded.error.js';
export { PartitionCountMismatchError } from './errors/partition-count-mismatch.error.js';
export { LeaseLostError } from './errors/lease-lost.error.js';
export { PoolNotConfiguredError } from './errors/pool-not-configured.error.js';
export { SerializationError } from './errors/serialization.error.js';
export { StreamNotRegisteredError } from './errors/stream-not-registered.error.js';
export { UnknownEventTypeError } from './errors/unknown-event-type.error.js';
export { BatchFailedError } from './errors/batch-failed.error.js';
export { PoisonMessageError } from './errors/poison-message.error.js';
export { MessageTooLargeError } from './errors/message-too-large.error.js';
export { IncompatiblePeerError } from './errors/incompatible-peer.error.js';
export { InvalidStateError } from './errors/invalid-state.error.js';
export { FeedProtocolError } from './errors/feed-protocol.error.js';
export { ConsumerClosedError } from './broker/errors/consumer-closed.error.js';
export { FlushError } from './broker/errors/flush.error.js';
export { MessageDecodeError } from './broker/errors/message-decode.error.js';
export { ReplicationTimeoutError } from './broker/errors/replication-timeout.error.js';
export { FeedHttpError } from './feed/consumer/feed-http.error.js';
