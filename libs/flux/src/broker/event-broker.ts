import type { OnApplicationShutdown } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { BODY_FIELD, DEFAULT_GROUP, SINGLE_CONSUMER_NAME } from './broker.constants.js';
import { BrokerConsumer } from './broker-consumer.js';
import type { BrokerOptions } from './broker-options.interface.js';
import { EventFlusher } from './event-flusher.js';
import { ensureGroup } from './group-commands.js';
import { MessageCodec } from './message-codec.js';
import { encodeBody, tagFields } from './message-fields.js';
import type { RedisPools } from './redis-pools.js';
import type { StreamStatistics } from './stream-statistics.js';
import { readStreamStatistics } from './stream-statistics.reader.js';
import type { StreamRegistry } from './stream-registry.js';
import type { FluxInstrumentation } from '../observability/flux-instrumentation.js';

/** Options of `consumerSingle` / `consumerMany`. */
export interface ConsumerOptions {
  /** Consumer group; default `'consumer_group'`. */
  group?: string;
}

/**
 * Publishes to and consumes from registered Redis streams. Bodies are msgpack in the `body`
 * field; tags are plain string fields. Injectable as this class.
 */
export class EventBroker implements OnApplicationShutdown {
  private readonly codec: MessageCodec;
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
   * acknowledged.
   */
  async publish(stream: string, body: unknown, meta?: Record<string, string>): Promise<string> {
    const registered = this.registry.get(stream);
    const client = this.pools.get(registered.pool, stream);
    const tags = tagFields(stream, meta);
    const encoded = encodeBody(this.codec, stream, body);
    const { key, maxLen } = registered;
    if (maxLen === undefined) {
      const id = tags
        ? await client.xadd(key, '*', BODY_FIELD, encoded, ...tags)
        : await client.xadd(key, '*', BODY_FIELD, encoded);
      this.instrumentation?.published(stream, 1);
      return id as string;
    }
    const pipeline = client.pipeline();
    if (tags) pipeline.xadd(key, '*', BODY_FIELD, encoded, ...tags);
    else pipeline.xadd(key, '*', BODY_FIELD, encoded);
    (pipeline as unknown as { fluxTrim(key: string, maxLen: number): void }).fluxTrim(key, maxLen);
    const [[error, id]] = (await pipeline.exec()) as [Error | null, unknown][];
    if (error) throw error; // a failed trim is not the publisher's failure: the next one retries
    this.instrumentation?.published(stream, 1);
    return id as string;
  }

  /** A flusher buffering events for one pipelined `flush()` per pool. */
  newFlusher(): EventFlusher {
    return new EventFlusher(this.registry, this.pools, this.codec, this.instrumentation);
  }

  /** The group's single consumer, named `'consumer-single'`: ordered, resumes its pending. */
  consumerSingle(stream: string, options: ConsumerOptions = {}): Promise<BrokerConsumer> {
    return this.createConsumer(stream, options.group ?? DEFAULT_GROUP, SINGLE_CONSUMER_NAME);
  }

  /** A consumer with a unique name, one of many reading the group in parallel. */
  consumerMany(stream: string, options: ConsumerOptions = {}): Promise<BrokerConsumer> {
    const name = `consumer-${hostname()}-${process.pid}-${randomBytes(6).toString('hex')}`;
    return this.createConsumer(stream, options.group ?? DEFAULT_GROUP, name);
  }

  /** Statistics of one registered stream; null when it does not exist in Redis yet. */
  getStreamStatistics(stream: string): Promise<StreamStatistics | null> {
    const registered = this.registry.get(stream);
    return readStreamStatistics(this.pools.get(registered.pool, stream), registered);
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

  /** @internal Nest lifecycle hook */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private async createConsumer(stream: string, group: string, name: string) {
    const registered = this.registry.get(stream);
    await ensureGroup(this.pools.get(registered.pool, stream), registered.key, group);
    const consumer = new BrokerConsumer(this.pools, registered, group, name, this.codec, (c) =>
      this.consumers.delete(c),
    );
    this.consumers.add(consumer);
    return consumer;
  }
}
