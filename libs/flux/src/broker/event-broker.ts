import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { BODY_FIELD, DEFAULT_GROUP, SINGLE_CONSUMER_NAME } from './broker.constants.js';
import { checkPartition, uniqueConsumerName } from './consume/consumer-arguments.js';
import { BrokerConsumer } from './consume/broker-consumer.js';
import type { BrokerOptions } from './broker.options.js';
import { EventFlusher } from './publish/event-flusher.js';
import { ensureGroup, type Fence } from './consume/group-commands.js';
import type { BrokerRedis } from './lua/index.js';
import { MessageCodec } from './codec/message-codec.js';
import { encodeBody, tagFields } from './publish/message-fields.js';
import { routeKey } from './partitions/partition-routing.js';
import type { RedisPools } from './pools/redis-pools.js';
import { waitForReplicas } from './publish/replica-wait.js';
import type { StreamStatistics } from './statistics/stream-statistics.js';
import { readStreamStatistics } from './statistics/stream-statistics.reader.js';
import { verifyPartitionCount } from './partitions/partition-count.js';
import { readPartitionedStatistics } from './statistics/stream-statistics.partitions.js';
import type { StreamRegistry } from './registry/stream-registry.js';
import type { FluxInstrumentation } from '../observability/flux-instrumentation.js';

/** Options of `consumerSingle` / `consumerMany`. */
export interface ConsumerOptions {
  /** Consumer group; default `'consumer_group'`. */
  group?: string;
  /**
   * The partition to read, required on a partitioned stream (0 … partitions − 1) and refused on
   * an unpartitioned one. Each partition is a stream of its own with its own pending lists.
   */
  partition?: number;
}

/**
 * Options of `consumerLeased`.
 * @internal
 */
export interface LeasedConsumerOptions extends ConsumerOptions {
  /** Consumer name, unique per process. */
  name: string;
  /** The lease the consumer must hold: reads of new messages and acks check its token. */
  fence: Fence;
}

/**
 * Publishes to and consumes from registered Redis streams. Bodies are msgpack in the `body`
 * field; tags are plain string fields. Injectable as this class.
 */
export class EventBroker implements OnModuleInit, OnApplicationShutdown {
  /**
   * The codec of every body this broker writes and reads, shared with the app (the
   * `MessageCodec` provider) so that one set of limits applies everywhere.
   * @internal
   */
  readonly codec: MessageCodec;
  private readonly consumers = new Set<BrokerConsumer>();

  constructor(
    readonly registry: StreamRegistry,
    private readonly pools: RedisPools,
    options: BrokerOptions = {},
    private readonly instrumentation?: FluxInstrumentation,
  ) {
    this.codec = new MessageCodec(options.limits);
  }

  /**
   * Publishes one event and resolves with its message id. Tag values must be strings. With a
   * `maxLen` on the stream it is trimmed approximately, never below what a group has not
   * acknowledged. On a stream registered `durable`, it resolves once enough replicas hold the
   * message (else `ReplicationTimeoutError`, the message being written). On a partitioned stream
   * the message goes to the partition of its `partitionKey` tag (a missing tag throws
   * `InvalidArgumentError`).
   */
  async publish(stream: string, body: unknown, meta?: Record<string, string>): Promise<string> {
    const tracer = this.instrumentation?.tracer;
    if (tracer?.enabled)
      return tracer.publish(stream, meta, (tags) => this.add(stream, body, tags));
    return this.add(stream, body, meta);
  }

  private async add(stream: string, body: unknown, meta?: Record<string, string>): Promise<string> {
    const registered = this.registry.get(stream);
    const client = registered.durable
      ? this.pools.getDurable(registered.pool, stream)
      : this.pools.get(registered.pool, stream);
    const tags = tagFields(stream, meta);
    const encoded = encodeBody(this.codec, stream, body);
    const key = routeKey(registered, meta);
    const { maxLen } = registered;
    if (maxLen === undefined) {
      const id = (
        tags
          ? await client.xadd(key, '*', BODY_FIELD, encoded, ...tags)
          : await client.xadd(key, '*', BODY_FIELD, encoded)
      ) as string;
      if (registered.durable) await waitForReplicas(client, registered, [id], key);
      this.instrumentation?.published(stream, 1);
      return id;
    }
    const pipeline = client.pipeline();
    if (tags) pipeline.xadd(key, '*', BODY_FIELD, encoded, ...tags);
    else pipeline.xadd(key, '*', BODY_FIELD, encoded);
    (pipeline as unknown as { fluxTrim(key: string, maxLen: number): void }).fluxTrim(key, maxLen);
    const [[error, id]] = (await pipeline.exec()) as [Error | null, unknown][];
    if (error) throw error; // a failed trim is not the publisher's failure: the next one retries
    if (registered.durable) await waitForReplicas(client, registered, [id as string], key);
    this.instrumentation?.published(stream, 1);
    return id as string;
  }

  /** A flusher buffering events for one pipelined `flush()` per pool. */
  newFlusher(): EventFlusher {
    return new EventFlusher(this.registry, this.pools, this.codec, this.instrumentation);
  }

  /** The group's single consumer, named `'consumer-single'`: ordered, resumes its pending. */
  consumerSingle(stream: string, options: ConsumerOptions = {}): Promise<BrokerConsumer> {
    return this.createConsumer(stream, options, SINGLE_CONSUMER_NAME);
  }

  /** A consumer with a unique name, one of many reading the group in parallel. */
  consumerMany(stream: string, options: ConsumerOptions = {}): Promise<BrokerConsumer> {
    return this.createConsumer(stream, options, uniqueConsumerName());
  }

  /**
   * A consumer fenced by a lease (what `@StreamConsumer` single mode uses across replicas): its
   * reads of new messages and its acks are refused with `LeaseLostError` once the lease key no
   * longer holds `fence.token`. Call `takeOver()` on it after acquiring the lease. On a
   * partitioned stream, `partition` names the partition the lease covers.
   */
  consumerLeased(stream: string, options: LeasedConsumerOptions): Promise<BrokerConsumer> {
    return this.createConsumer(stream, options, options.name, options.fence);
  }

  /** @internal the shared client of the stream's pool (leases beside the stream) */
  redisFor(stream: string): BrokerRedis {
    return this.pools.get(this.registry.get(stream).pool, stream);
  }

  /** Statistics of one registered stream; null when it does not exist in Redis yet. */
  getStreamStatistics(stream: string): Promise<StreamStatistics | null> {
    const registered = this.registry.get(stream);
    const client = this.pools.get(registered.pool, stream);
    return registered.partitions === undefined
      ? readStreamStatistics(client, registered)
      : readPartitionedStatistics(client, registered);
  }

  /** Statistics of the given streams (none: every registered one), skipping absent streams. */
  async getStreamsStatistics(...streams: string[]): Promise<StreamStatistics[]> {
    const names = streams.length > 0 ? streams : this.registry.all().map((s) => s.name);
    const all = await Promise.all(names.map((name) => this.getStreamStatistics(name)));
    return all.filter((stats): stats is StreamStatistics => stats !== null);
  }

  /**
   * Closes every consumer (ending blocked reads, letting batches in hand finish), then every
   * connection. Workers stop in `beforeApplicationShutdown`, before this runs.
   */
  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((consumer) => consumer.close()));
    await this.pools.close();
  }

  /**
   * Checks every partitioned stream's partition count against the one stored in Redis (storing
   * it the first time); throws `PartitionCountMismatchError` naming both. Runs at bootstrap.
   */
  async verifyPartitions(): Promise<void> {
    const partitioned = this.registry.all().filter((s) => s.partitions !== undefined);
    await Promise.all(
      partitioned.map((s) => verifyPartitionCount(this.pools.get(s.pool, s.name), s)),
    );
  }

  /** @internal Nest lifecycle hook: a wrong partition count fails the bootstrap. */
  async onModuleInit(): Promise<void> {
    await this.verifyPartitions();
  }

  /** @internal Nest lifecycle hook */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private async createConsumer(
    stream: string,
    options: ConsumerOptions,
    name: string,
    fence?: Fence,
  ) {
    const registered = this.registry.get(stream);
    const group = options.group ?? DEFAULT_GROUP;
    const partition = checkPartition(registered, options.partition);
    const key = partition === undefined ? registered.key : registered.partitionKeys![partition];
    await ensureGroup(this.pools.get(registered.pool, stream), key, group);
    const consumer = new BrokerConsumer(
      this.pools,
      registered,
      group,
      name,
      this.codec,
      (c) => this.consumers.delete(c),
      partition,
      fence,
    );
    this.consumers.add(consumer);
    return consumer;
  }
}
