import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { BrokerOptions } from '../broker/broker.options.js';
import { MessageCodec } from '../broker/codec/message-codec.js';
import { RedisPools } from '../broker/pools/redis-pools.js';
import { StreamRegistry } from '../broker/registry/stream-registry.js';
import { routeKey } from '../broker/partitions/partition-routing.js';
import { deadLetterStreamOf } from '../workers/dead-letter.js';
import { DEAD_LETTER_TAG_NAMES, REPLAY_DEAD_LETTER_LUA } from './dead-letter-replay.lua.js';
import { replayAcrossSlots } from './dead-letter-replay.two-step.js';
import { clusterSlot } from '../broker/cluster/cluster-slot.js';
import { type DeadLetterView, toDeadLetterView } from './dead-letter-view.js';

/** One page of a dead-letter stream, oldest first. */
export interface DeadLetterPage {
  stream: string;
  /** Entries in `<stream>:dead`. */
  total: number;
  letters: DeadLetterView[];
  /** Pass as `after` for the next page; null on the last page. */
  next: string | null;
}

/**
 * Reads, replays and deletes the dead letters of a registered stream. The dead-letter stream
 * lives on the stream's pool under the same key prefix, whether or not it is registered itself.
 * @internal
 */
@Injectable()
export class DeadLetters {
  private readonly codec: MessageCodec;

  constructor(
    @Inject(StreamRegistry) private readonly registry: StreamRegistry,
    @Inject(RedisPools) private readonly pools: RedisPools,
    /**
     * The broker's codec (injected: the same limits as every other reader of these bodies), or,
     * built by hand, module options whose `broker.limits` it is built from.
     */
    @Inject(MessageCodec) codec: MessageCodec | { broker?: BrokerOptions } = {},
  ) {
    this.codec = codec instanceof MessageCodec ? codec : new MessageCodec(codec.broker?.limits);
  }

  /** Up to `limit` dead letters after the id `after` (from the oldest when absent). */
  async peek(stream: string, o: { after?: string; limit: number }): Promise<DeadLetterPage> {
    const { client, deadKey } = this.locate(stream);
    const start = o.after ? `(${o.after}` : '-';
    const [entries, total] = await Promise.all([
      client.xrangeBuffer(deadKey, start, '+', 'COUNT', o.limit),
      client.xlen(deadKey),
    ]);
    const letters = entries.map(([id, fields]) =>
      toDeadLetterView(id.toString(), fields, this.codec),
    );
    const next = entries.length === o.limit ? letters[letters.length - 1].id : null;
    return { stream, total, letters, next };
  }

  /**
   * Moves a dead letter back to `stream` with its original body and tags, then deletes it, in
   * one Lua script: it is never lost nor published twice. On a Redis Cluster, where the two
   * streams are in different slots, it is a guarded copy-then-delete instead: never lost,
   * published twice only if the process dies between the two steps. Every group of the stream gets it
   * again. Resolves with the new message id; 404 when the dead letter does not exist.
   */
  async replay(stream: string, id: string): Promise<string> {
    const { client, deadKey, registered, pool } = this.locate(stream);
    let key = registered.key;
    if (registered.partitions !== undefined) {
      // Back to the partition of its key (routed again: the count may not have changed, but
      // the stored partition number is only informative).
      const [entry] = await client.xrange(deadKey, id, id);
      if (!entry) throw notFound(stream, id);
      const fields = entry[1];
      const tags: Record<string, string> = {};
      for (let i = 0; i < fields.length; i += 2) tags[fields[i]] = fields[i + 1];
      key = routeKey(registered, tags);
    }
    if (this.pools.isCluster(pool) && clusterSlot(deadKey) !== clusterSlot(key)) {
      const moved = await replayAcrossSlots(client, deadKey, key, id);
      if (moved === null) throw notFound(stream, id);
      return moved;
    }
    const newId = await client.eval(
      REPLAY_DEAD_LETTER_LUA,
      2,
      deadKey,
      key,
      id,
      ...DEAD_LETTER_TAG_NAMES,
    );
    if (newId === null) throw notFound(stream, id);
    return String(newId);
  }

  /** Deletes a dead letter for good; 404 when it does not exist. */
  async remove(stream: string, id: string): Promise<void> {
    const { client, deadKey } = this.locate(stream);
    if ((await client.xdel(deadKey, id)) === 0) throw notFound(stream, id);
  }

  private locate(stream: string) {
    if (!this.registry.has(stream)) {
      throw new NotFoundException({
        statusCode: 404,
        error: 'Not Found',
        message: `Stream "${stream.slice(0, 200)}" is not registered.`,
      });
    }
    const registered = this.registry.get(stream);
    const client = this.pools.get(registered.pool, stream);
    return {
      pool: registered.pool,
      client,
      registered,
      deadKey: this.registry.keyPrefix + deadLetterStreamOf(stream),
    };
  }
}

function notFound(stream: string, id: string): NotFoundException {
  return new NotFoundException({
    statusCode: 404,
    error: 'Not Found',
    message: `Dead letter ${id} of stream "${stream.slice(0, 200)}" was not found (replayed or deleted already?).`,
  });
}
