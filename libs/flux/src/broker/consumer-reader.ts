import type { Redis } from 'ioredis';
import { ackAndDelete, ensureGroup, isNoGroupError } from './group-commands.js';
import type { BrokerRedis } from './lua/index.js';
import type { RedisPools } from './redis-pools.js';
import { readGroupEntries, splitDeleted, type RawEntry } from './stream-reply.js';
import { StreamEvent, type StreamEventSource } from './stream-event.js';
import type { RegisteredStream } from './stream-registry.js';

type PendingRow = [id: string, consumer: string, idleMs: number, deliveries: number];

/**
 * The Redis side of one consumer: reads, claims and acks. Blocking reads use a dedicated
 * connection (opened on first use), everything else the pool's shared client.
 */
export class ConsumerReader {
  private readonly key: string;
  private blocking?: Redis;

  constructor(
    private readonly pools: RedisPools,
    private readonly registered: RegisteredStream,
    private readonly group: string,
    private readonly name: string,
    private readonly source: StreamEventSource,
  ) {
    this.key = registered.key;
  }

  get client(): BrokerRedis {
    return this.pools.get(this.registered.pool, this.registered.name);
  }

  ack(ids: string[]): Promise<void> {
    return ackAndDelete(this.client, this.key, this.group, ids);
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
    const args: (string | number)[] = ['GROUP', this.group, this.name, 'COUNT', count];
    if (blockMs > 0) args.push('BLOCK', blockMs);
    args.push('STREAMS', this.key, '>');
    for (let attempt = 0; ; attempt++) {
      if (closed()) return [];
      const client =
        blockMs > 0
          ? (this.blocking ??= this.pools.createDedicated(
              this.registered.pool,
              this.registered.name,
            ))
          : this.client;
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
