import { BODY_FIELD } from './broker.constants.js';
import { FlushError } from './errors/flush.error.js';
import type { BrokerPipeline } from './lua/index.js';
import type { MessageCodec } from './message-codec.js';
import { encodeBody, tagFields } from './message-fields.js';
import type { RedisPools } from './redis-pools.js';
import type { FluxInstrumentation } from '../observability/flux-instrumentation.js';
import type { RegisteredStream, StreamRegistry } from './stream-registry.js';

interface PoolBatch {
  pipeline: BrokerPipeline;
  indices: number[];
  trims?: Set<RegisteredStream>;
}

/**
 * Buffers events and publishes them with one pipeline per Redis pool. Buffered events live in
 * parallel arrays (no object per event); an event keeps its id once sent, so a flush retried
 * after a partial failure sends only the rest.
 */
export class EventFlusher {
  private streams: RegisteredStream[] = [];
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
    const tags = tagFields(stream, meta);
    this.bodies.push(encodeBody(this.codec, stream, body));
    this.tags.push(tags);
    this.streams.push(registered);
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
    const run = previous ? previous.then(() => this.send()) : this.send();
    this.running = run.catch(() => undefined);
    return run;
  }

  /** Drops every buffered event not sent yet (a flush in progress still completes). */
  clear(): void {
    this.streams = [];
    this.bodies = [];
    this.tags = [];
    this.ids = [];
  }

  private async send(): Promise<string[]> {
    const count = this.streams.length;
    if (count === 0) return [];
    const ids = this.ids; // clear() during the flush swaps the arrays; results land here
    const streams = this.streams;
    const batches = this.buildBatches(count);
    const results = await Promise.allSettled([...batches.values()].map((b) => b.pipeline.exec()));
    const failedPools: string[] = [];
    let unsent = 0;
    let cause: unknown;
    let index = 0;
    for (const [pool, batch] of batches) {
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
      if (failed > 0) failedPools.push(pool);
      unsent += failed;
    }
    if (unsent > 0) throw new FlushError(failedPools, unsent, { cause });
    const sent = ids.slice(0, count) as string[];
    if (this.instrumentation?.active) countPublished(this.instrumentation, streams.slice(0, count));
    if (ids === this.ids) {
      ids.splice(0, count);
      this.streams.splice(0, count);
      this.bodies.splice(0, count);
      this.tags.splice(0, count);
    }
    return sent;
  }

  private buildBatches(count: number): Map<string, PoolBatch> {
    const batches = new Map<string, PoolBatch>();
    for (let i = 0; i < count; i++) {
      if (this.ids[i] !== undefined) continue; // sent by an earlier, partly failed flush
      const stream = this.streams[i];
      let batch = batches.get(stream.pool);
      if (!batch) {
        const client = this.pools.get(stream.pool, stream.name);
        batch = { pipeline: client.pipeline() as unknown as BrokerPipeline, indices: [] };
        batches.set(stream.pool, batch);
      }
      const tags = this.tags[i];
      // ioredis flattens array arguments, so tags go as they are, without a spread copy.
      if (tags) batch.pipeline.xadd(stream.key, '*', BODY_FIELD, this.bodies[i], tags);
      else batch.pipeline.xadd(stream.key, '*', BODY_FIELD, this.bodies[i]);
      batch.indices.push(i);
      if (stream.maxLen !== undefined) (batch.trims ??= new Set()).add(stream);
    }
    for (const batch of batches.values()) {
      for (const stream of batch.trims ?? []) batch.pipeline.fluxTrim(stream.key, stream.maxLen!);
    }
    return batches;
  }
}

/** Reports a flushed batch as one `published` count per stream, not one call per event. */
export function countPublished(
  instrumentation: FluxInstrumentation,
  streams: readonly { name: string }[],
): void {
  const counts = new Map<string, number>();
  for (const { name } of streams) counts.set(name, (counts.get(name) ?? 0) + 1);
  for (const [name, n] of counts) instrumentation.published(name, n);
}
