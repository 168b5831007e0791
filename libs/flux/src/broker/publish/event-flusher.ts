import { BODY_FIELD } from '../broker.constants.js';
import { FlushError } from '../errors/flush.error.js';
import { clusterSlot } from '../cluster/cluster-slot.js';
import { isRedirection } from '../cluster/cluster-redirection.js';
import type { BrokerPipeline, BrokerRedis } from '../lua/index.js';
import type { MessageCodec } from '../codec/message-codec.js';
import { encodeBody, tagFields } from './message-fields.js';
import { routeKey } from '../partitions/partition-routing.js';
import type { RedisPools } from '../pools/redis-pools.js';
import { waitForBatch } from './replica-wait.js';
import type { FluxInstrumentation } from '../../observability/flux-instrumentation.js';
import { withTraceparent } from '../../observability/tracing/with-traceparent.js';
import type { RegisteredStream, StreamRegistry } from '../registry/stream-registry.js';

interface PoolBatch {
  pool: string;
  client: BrokerRedis;
  pipeline: BrokerPipeline;
  indices: number[];
  trims?: Map<string, number>;
  durable?: Set<RegisteredStream>;
}

/** Flush attempts when a cluster redirects part of a pipeline (slot migration, failover). */
const REDIRECT_ATTEMPTS = 6;

/**
 * Buffers events and publishes them with one pipeline per Redis pool — on a cluster, one per
 * hash slot, since a cluster pipeline must stay on one node and a slot is what moves between
 * nodes as a whole. Buffered events live in
 * parallel arrays (no object per event); an event keeps its id once sent, so a flush retried
 * after a partial failure sends only the rest.
 */
export class EventFlusher {
  private streams: RegisteredStream[] = [];
  /** Redis key of each event: its stream's, or its partition's. */
  private keys: string[] = [];
  private bodies: Buffer[] = [];
  private tags: (string[] | undefined)[] = [];
  private ids: (string | undefined)[] = [];
  private running?: Promise<unknown>;

  /** @internal created by `EventBroker.newFlusher()` */
  constructor(
    private readonly registry: StreamRegistry,
    private readonly pools: RedisPools,
    private readonly codec: MessageCodec,
    private readonly instrumentation?: FluxInstrumentation,
  ) {}

  /** Events buffered and not yet flushed successfully. */
  get size(): number {
    return this.streams.length;
  }

  /**
   * Buffers one event. Everything is checked now — stream, pool, tags, body — so a bad event
   * throws here and never reaches `flush()`.
   */
  publish(stream: string, body: unknown, meta?: Record<string, string>): void {
    const registered = this.registry.get(stream);
    this.pools.assertConfigured(registered.pool, stream);
    const tags = tagFields(stream, withTraceparent(this.instrumentation?.tracer, meta));
    const key = routeKey(registered, meta);
    this.bodies.push(encodeBody(this.codec, stream, body));
    this.tags.push(tags);
    this.streams.push(registered);
    this.keys.push(key);
    this.ids.push(undefined);
  }

  /**
   * Sends the buffered events (one pipeline per pool, pools in parallel) and resolves with
   * their ids in publish order. On failure it rejects with `FlushError` and keeps the events
   * that were not sent; a later `flush()` sends only those and then returns every id. Flushes
   * run one after another; events published during a flush wait for the next one.
   */
  flush(): Promise<string[]> {
    const previous = this.running;
    const tracer = this.instrumentation?.tracer;
    const send = () =>
      tracer?.enabled ? tracer.flush(this.size, () => this.sendAll()) : this.sendAll();
    const run = previous ? previous.then(send) : send();
    this.running = run.catch(() => undefined);
    return run;
  }

  /** Drops every buffered event not sent yet (a flush in progress still completes). */
  clear(): void {
    this.streams = [];
    this.keys = [];
    this.bodies = [];
    this.tags = [];
    this.ids = [];
  }

  /**
   * Sends, and on a cluster sends again what a redirection (MOVED, ASK, TRYAGAIN, CLUSTERDOWN)
   * refused in part of a pipeline: ioredis follows a redirection only when the whole pipeline
   * got it. Events already sent keep their ids and are not sent twice.
   */
  private async sendAll(): Promise<string[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.send();
      } catch (error) {
        const redirected = error instanceof FlushError && isRedirection(error.cause);
        if (!redirected || attempt >= REDIRECT_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  }

  private async send(): Promise<string[]> {
    const count = this.streams.length;
    if (count === 0) return [];
    const ids = this.ids; // clear() during the flush swaps the arrays; results land here
    const streams = this.streams;
    const keys = this.keys;
    const batches = this.buildBatches(count);
    const results = await Promise.allSettled([...batches.values()].map((b) => b.pipeline.exec()));
    const failedPools: string[] = [];
    let unsent = 0;
    let cause: unknown;
    let index = 0;
    const durable: PoolBatch[] = [];
    for (const batch of batches.values()) {
      const result = results[index++];
      const replies = result.status === 'fulfilled' ? result.value : null;
      const failure: unknown = result.status === 'rejected' ? result.reason : new Error('no reply');
      let failed = 0;
      // Replies after the XADDs belong to trims: a failed trim is retried by the next publish.
      for (let i = 0; i < batch.indices.length; i++) {
        const reply = replies?.[i];
        if (reply && !reply[0] && typeof reply[1] === 'string') {
          ids[batch.indices[i]] = reply[1];
        } else {
          failed++;
          cause ??= reply?.[0] ?? failure;
        }
      }
      if (failed > 0 && !failedPools.includes(batch.pool)) failedPools.push(batch.pool);
      if (failed === 0 && batch.durable) durable.push(batch);
      unsent += failed;
    }
    const waited = await Promise.allSettled(
      durable.map((b) => waitForBatch(b.client, b.durable!, b.indices, streams, ids, keys)),
    );
    if (unsent > 0) {
      // A retry sends the unsent events; durable ones too few replicas confirmed go again with
      // them (a duplicate rather than an unconfirmed message counted as sent).
      waited.forEach((w, k) => {
        if (w.status === 'rejected') for (const i of durable[k].indices) ids[i] = undefined;
      });
      throw new FlushError(failedPools, unsent, { cause });
    }
    const sent = ids.slice(0, count) as string[];
    if (this.instrumentation?.active) countPublished(this.instrumentation, streams.slice(0, count));
    if (ids === this.ids) {
      ids.splice(0, count);
      this.streams.splice(0, count);
      this.keys.splice(0, count);
      this.bodies.splice(0, count);
      this.tags.splice(0, count);
    }
    // Every event is written; one that too few replicas acknowledged is reported by its id.
    const late = waited.find((w) => w.status === 'rejected');
    if (late) throw late.reason;
    return sent;
  }

  private buildBatches(count: number): Map<string, PoolBatch> {
    const batches = new Map<string, PoolBatch>();
    const clusters = new Map<string, boolean>();
    for (let i = 0; i < count; i++) {
      if (this.ids[i] !== undefined) continue; // sent by an earlier, partly failed flush
      const stream = this.streams[i];
      let cluster = clusters.get(stream.pool);
      if (cluster === undefined)
        clusters.set(stream.pool, (cluster = this.pools.isCluster(stream.pool)));
      // Durable streams go on their own connection: its WAIT must not hold up the others.
      const key = this.keys[i];
      let batchKey = cluster ? `${stream.pool}\u0000${clusterSlot(key)}` : stream.pool;
      if (stream.durable) batchKey += '\u0000durable';
      let batch = batches.get(batchKey);
      if (!batch) {
        const client = stream.durable
          ? this.pools.getDurable(stream.pool, stream.name)
          : this.pools.get(stream.pool, stream.name);
        const pipeline = client.pipeline() as unknown as BrokerPipeline;
        batch = { pool: stream.pool, client, pipeline, indices: [] };
        batches.set(batchKey, batch);
      }
      const tags = this.tags[i];
      // ioredis flattens array arguments, so tags go as they are, without a spread copy.
      if (tags) batch.pipeline.xadd(key, '*', BODY_FIELD, this.bodies[i], tags);
      else batch.pipeline.xadd(key, '*', BODY_FIELD, this.bodies[i]);
      batch.indices.push(i);
      if (stream.maxLen !== undefined) (batch.trims ??= new Map()).set(key, stream.maxLen);
      if (stream.durable) (batch.durable ??= new Set()).add(stream);
    }
    for (const batch of batches.values()) {
      for (const [key, maxLen] of batch.trims ?? []) batch.pipeline.fluxTrim(key, maxLen);
    }
    return batches;
  }
}

/**
 * Reports a flushed batch as one `published` count per stream, not one call per event.
 * @internal
 */
export function countPublished(
  instrumentation: FluxInstrumentation,
  streams: readonly { name: string }[],
): void {
  const counts = new Map<string, number>();
  for (const { name } of streams) counts.set(name, (counts.get(name) ?? 0) + 1);
  for (const [name, n] of counts) instrumentation.published(name, n);
}
