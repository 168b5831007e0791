import { LeaseLostError } from '../../errors/lease-lost.error.js';
import { FencedReader } from './fenced-reader.js';
import {
  ackAndDelete,
  ensureGroup,
  type Fence,
  isFencedError,
  isKeyGoneError,
  isNoGroupError,
} from './group-commands.js';
import type { BrokerRedis } from '../lua/index.js';
import type { PoolClient, RedisPools } from '../pools/redis-pools.js';
import { readGroupEntries, splitDeleted, type RawEntry } from './stream-reply.js';
import { StreamEvent, type StreamEventSource } from './stream-event.js';
import type { RegisteredStream } from '../registry/stream-registry.js';
import { InvalidStateError } from '../../errors/invalid-state.error.js';

type PendingRow = [id: string, consumer: string, idleMs: number, deliveries: number];

/**
 * The Redis side of one consumer: reads, claims and acks. Blocking reads use a dedicated
 * connection (opened on first use), everything else the pool's shared client.
 * @internal
 */
export class ConsumerReader {
  /** The stream's key, or on a partitioned stream the key of the partition read. */
  readonly key: string;
  private blocking?: PoolClient;
  private readonly fenced?: FencedReader;

  constructor(
    private readonly pools: RedisPools,
    private readonly registered: RegisteredStream,
    private readonly group: string,
    private readonly name: string,
    private readonly source: StreamEventSource,
    key: string,
    private readonly fence?: Fence,
  ) {
    this.key = key;
    if (fence) this.fenced = new FencedReader(this.key, group, name, fence);
  }

  get client(): BrokerRedis {
    return this.pools.get(this.registered.pool, this.registered.name);
  }

  async ack(ids: string[]): Promise<void> {
    try {
      await ackAndDelete(this.client, this.key, this.group, ids, this.fence);
    } catch (error) {
      if (isFencedError(error))
        throw new LeaseLostError(this.fence!.key, `acking ${ids.length} message(s)`);
      throw error;
    }
  }

  /** The dedicated connection of blocking reads, opened on first use. */
  private blockingClient(): PoolClient {
    return (this.blocking ??= this.pools.createDedicated(
      this.registered.pool,
      this.registered.name,
    ));
  }

  /**
   * Connection losses of the clients reads use, so far: a change across a read means it may
   * have been sent again after a reconnect, its first reply (and what that delivered) lost.
   */
  connectionLosses(): number {
    const shared = this.pools.connectionLosses(this.client);
    return shared + (this.blocking ? this.pools.connectionLosses(this.blocking) : 0);
  }

  /** Closes the dedicated connection, ending a blocked read at once. */
  closeBlocking(): void {
    if (this.blocking) this.pools.release(this.blocking);
    this.blocking = undefined;
  }

  /** Up to `count` of this consumer's pending messages; null when it holds none. */
  async readPending(count: number): Promise<StreamEvent[] | null> {
    const { key, group, name } = this;
    const pipeline = this.client.pipeline();
    pipeline.callBuffer('xreadgroup', 'GROUP', group, name, 'COUNT', count, 'STREAMS', key, '0');
    // Same order and count as the re-read, so it lists exactly the messages just re-read.
    pipeline.xpending(key, group, '-', '+', count, name);
    const [[readError, reply], [, rows]] = (await pipeline.exec()) as [Error | null, unknown][];
    if (readError) {
      if (!isNoGroupError(readError)) throw readError;
      await ensureGroup(this.client, key, group);
      return null;
    }
    const entries = readGroupEntries(reply);
    return entries.length === 0 ? null : this.toEvents(entries, (rows ?? []) as PendingRow[]);
  }

  /** New messages, blocking up to `blockMs` (0: no blocking); `[]` if closed meanwhile. */
  async readNew(count: number, blockMs: number, closed: () => boolean): Promise<StreamEvent[]> {
    if (this.fenced) {
      const entries = await this.fenced.read(
        this.client,
        () => this.blockingClient(),
        count,
        blockMs,
        closed,
      );
      return entries.map(([id, fields]) => new StreamEvent(this.source, id.toString(), fields!, 1));
    }
    const args: (string | number)[] = ['GROUP', this.group, this.name, 'COUNT', count];
    if (blockMs > 0) args.push('BLOCK', blockMs);
    args.push('STREAMS', this.key, '>');
    for (let attempt = 0; ; attempt++) {
      if (closed()) return [];
      const client = blockMs > 0 ? this.blockingClient() : this.client;
      try {
        const entries = readGroupEntries(await client.callBuffer('xreadgroup', ...args));
        const events = new Array<StreamEvent>(entries.length);
        for (let i = 0; i < entries.length; i++) {
          events[i] = new StreamEvent(this.source, entries[i][0].toString(), entries[i][1]!, 1);
        }
        return events;
      } catch (error) {
        // close() ends a blocked read by closing its connection: that is not a failure.
        if (closed()) return [];
        // Nothing was read; the caller's next read finds the key again (or recreates it).
        if (isKeyGoneError(error)) return [];
        // After a Redis restart without persistence the group is gone: recreate it once.
        if (attempt > 0 || !isNoGroupError(error)) throw error;
        await ensureGroup(this.client, this.key, this.group);
      }
    }
  }

  /** One XAUTOCLAIM step; `cursor` is `'0-0'` when the pending list was walked to the end. */
  async claim(cursor: string, count: number, minIdleMs: number) {
    let reply: [Buffer, RawEntry[], Buffer[]?];
    try {
      const { key, group, name } = this;
      const args = [key, group, name, minIdleMs, cursor, 'COUNT', count];
      reply = (await this.client.callBuffer('xautoclaim', ...args)) as typeof reply;
    } catch (error) {
      if (!isNoGroupError(error)) throw error;
      await ensureGroup(this.client, this.key, this.group);
      return { cursor: '0-0', events: [] }; // a new group has nothing pending
    }
    // Entries deleted while pending come back in reply[2]; Redis already dropped them from the
    // pending list, so they are skipped.
    const live = reply[1].filter((entry) => entry[1] !== null);
    const events = live.length === 0 ? [] : await this.toEvents(live, await this.pendingRows(live));
    return { cursor: reply[0].toString(), events };
  }

  /**
   * Takes over every pending message of the group (any consumer, any idle time), in id order,
   * without counting a delivery; they are then re-read as this consumer's own. Fenced: refused
   * with `LeaseLostError` once the lease passed on. Resolves with the number claimed.
   */
  async claimAll(): Promise<number> {
    const fence = this.fence;
    if (!fence) throw new InvalidStateError('claimAll() is for a consumer fenced by a lease');
    let cursor = '0-0';
    let claimed = 0;
    do {
      const { key, group, name } = this;
      try {
        const reply = await this.client.fluxFencedClaim(
          key,
          fence.key,
          group,
          name,
          cursor,
          1000,
          fence.token,
        );
        cursor = String(reply[0]);
        claimed += reply[1].length;
      } catch (error) {
        if (isFencedError(error))
          throw new LeaseLostError(fence.key, 'taking over pending messages');
        throw error;
      }
    } while (cursor !== '0-0');
    return claimed;
  }

  /** Removes the group's other consumers that hold nothing pending (atomically checked). */
  async removeIdleConsumers(): Promise<number> {
    const rows = (await this.client.xinfo('CONSUMERS', this.key, this.group)) as unknown[][];
    let removed = 0;
    for (const row of rows) {
      const name = String(row[row.indexOf('name') + 1]);
      if (name === this.name) continue;
      removed += await this.client.fluxCleanup(this.key, this.group, name);
    }
    return removed;
  }

  private async pendingRows(entries: RawEntry[]): Promise<PendingRow[]> {
    const pipeline = this.client.pipeline();
    for (const [rawId] of entries) {
      const id = rawId.toString();
      pipeline.xpending(this.key, this.group, id, id, 1);
    }
    const replies = ((await pipeline.exec()) ?? []) as [Error | null, PendingRow[] | null][];
    return replies.flatMap(([, rows]) => rows ?? []);
  }

  /** Events with their delivery counts; entries deleted while pending are acked and dropped. */
  private async toEvents(entries: RawEntry[], rows: PendingRow[]): Promise<StreamEvent[]> {
    const counts = new Map<string, number>();
    for (const row of rows) counts.set(row[0], row[3]);
    const { live, deleted } = splitDeleted(entries);
    if (deleted.length > 0) await this.ack(deleted);
    return live.map(([rawId, fields]) => {
      const id = rawId.toString();
      return new StreamEvent(this.source, id, fields!, counts.get(id) ?? 1);
    });
  }
}
