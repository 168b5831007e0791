import { readArgumentsError } from './consumer-arguments.js';
import { ConsumerReader } from './consumer-reader.js';
import { ConsumerClosedError } from '../errors/consumer-closed.error.js';
import type { Fence } from './group-commands.js';
import type { MessageCodec } from '../codec/message-codec.js';
import type { RedisPools } from '../pools/redis-pools.js';
import type { StreamEvent, StreamEventSource } from './stream-event.js';
import type { RegisteredStream } from '../registry/stream-registry.js';

/** Receives one batch; resolve to ack it, reject to leave it pending. */
export type BatchHandler = (events: StreamEvent[]) => unknown;

/**
 * One named consumer of a consumer group. Operations on one consumer run one at a time (a
 * second call waits for the first), so a re-read of pending messages never races a claim.
 */
export class BrokerConsumer implements StreamEventSource {
  readonly stream: string;
  /** The partition read, on a partitioned stream; undefined otherwise. */
  readonly partition: number | undefined;
  private readonly reader: ConsumerReader;
  /** Whether this consumer may hold pending messages to re-read before reading new ones. */
  private checkPending = true;
  private isClosed = false;
  private tail: Promise<unknown> = Promise.resolve();
  /**
   * Settles (empty) when `close()` is called. A read waits for it or for Redis, whichever comes
   * first: a cluster client disconnected while a command is in flight never answers the
   * commands sent after it, and a read must not outlive its consumer's `close()`.
   */
  private readonly closing: Promise<StreamEvent[]>;
  private signalClosing!: () => void;

  /** @internal created by `EventBroker.consumerSingle` / `consumerMany` */
  constructor(
    pools: RedisPools,
    registered: RegisteredStream,
    readonly group: string,
    /** Consumer name inside the group. */
    readonly name: string,
    readonly codec: MessageCodec,
    private readonly onClose?: (consumer: BrokerConsumer) => void,
    partition?: number,
    /** With a fence, reads of new messages and acks run only while the lease holds its token. */
    readonly fence?: Fence,
  ) {
    this.stream = registered.name;
    this.partition = partition;
    const key = partition === undefined ? registered.key : registered.partitionKeys![partition];
    this.reader = new ConsumerReader(pools, registered, group, name, this, key, fence);
    this.closing = new Promise((resolve) => (this.signalClosing = () => resolve([])));
  }

  /** The Redis key read: the stream's, or its partition's. */
  get key(): string {
    return this.reader.key;
  }

  /** Same as `name` (what `StreamEvent.consumer` reports). */
  get consumer(): string {
    return this.name;
  }

  /** True after `close()` or `cleanup()`. */
  get closed(): boolean {
    return this.isClosed;
  }

  /**
   * Reads one batch of at most `count` messages — first this consumer's own pending ones, then
   * new ones, blocking up to `blockMs` (0: do not block) — and hands it to `handler`. On resolve
   * every message not acked yet is acked (and deleted once all groups acked it); on reject
   * nothing is acked and the handler's error is rethrown. Resolves with the batch size: 0 for
   * an empty read (no handler call) or a read ended by `close()`. Connection errors reject, so
   * a loop can retry: ioredis reconnects, and a group lost in a Redis restart is recreated.
   */
  consume(count: number, blockMs: number, handler: BatchHandler): Promise<number> {
    const invalid = readArgumentsError(count, 'blockMs', blockMs, handler);
    return this.exclusive(invalid, async () => {
      while (this.checkPending && !this.isClosed) {
        const events = await this.reader.readPending(count);
        if (events === null) this.checkPending = false;
        else if (events.length > 0) return this.handle(events, handler);
      }
      // A read whose reply was lost (connection dropped, the read failed or was sent again)
      // may have delivered messages: they are pending for this consumer, to be re-read first.
      const losses = this.reader.connectionLosses();
      let events: StreamEvent[];
      try {
        // What a read abandoned here delivers stays pending for this consumer's name: re-read
        // by its successor (a lease holder takes everything over) or reclaimed after claimIdle.
        events = await Promise.race([
          this.reader.readNew(count, blockMs, () => this.isClosed),
          this.closing,
        ]);
      } catch (error) {
        this.checkPending = true;
        throw error;
      }
      if (this.reader.connectionLosses() !== losses) this.checkPending = true;
      return events.length === 0 ? 0 : this.handle(events, handler);
    });
  }

  /**
   * Claims messages of any consumer of the group idle longer than `minIdleMs`, `count` at a
   * time, following the XAUTOCLAIM cursor to the end; each batch goes to `handler` with the
   * ack rules of `consume`. Stops at the first rejected batch. Resolves with the number of
   * messages handled.
   */
  autoClaim(count: number, minIdleMs: number, handler: BatchHandler): Promise<number> {
    const invalid = readArgumentsError(count, 'minIdleMs', minIdleMs, handler);
    return this.exclusive(invalid, async () => {
      let cursor = '0-0';
      let handled = 0;
      do {
        const batch = await this.reader.claim(cursor, count, minIdleMs);
        cursor = batch.cursor;
        if (batch.events.length === 0) continue;
        this.checkPending = true; // claimed messages are this consumer's pending ones now
        handled += await this.handle(batch.events, handler);
      } while (cursor !== '0-0' && !this.isClosed);
      return handled;
    });
  }

  /**
   * Takes over what the group's earlier consumers left pending (a previous lease holder that
   * died or stepped down): claims every pending message of the group to this consumer in id
   * order, then removes the other consumers, which hold nothing now. The next `consume` calls
   * re-read those messages, in stream order, before any new one. Resolves with the number
   * claimed.
   */
  takeOver(): Promise<number> {
    return this.exclusive(undefined, async () => {
      const claimed = await this.reader.claimAll();
      await this.reader.removeIdleConsumers();
      this.checkPending = true;
      return claimed;
    });
  }

  /**
   * Closes the consumer, then removes it from the group only if it holds no pending message;
   * otherwise it stays so that another consumer's `autoClaim` can take them over. Resolves
   * `true` when it was removed.
   */
  async cleanup(): Promise<boolean> {
    await this.close();
    const client = this.reader.client;
    return (await client.fluxCleanup(this.reader.key, this.group, this.name)) === 1;
  }

  /**
   * Stops the consumer: a read blocked on its connection ends at once (that `consume` resolves
   * 0); a batch in hand finishes and is acked. Resolves once that is done. Idempotent.
   */
  async close(): Promise<void> {
    if (!this.isClosed) {
      this.isClosed = true;
      this.signalClosing();
      this.reader.closeBlocking();
      this.onClose?.(this);
    }
    await this.tail;
  }

  /** @internal acks ids for this group and deletes those every group acked */
  ackIds(ids: string[]): Promise<void> {
    return this.reader.ack(ids);
  }

  /** Runs `operation` after the previous one settled, unless the call is invalid or closed. */
  private exclusive<T>(invalid: Error | undefined, operation: () => Promise<T>): Promise<T> {
    if (invalid) return Promise.reject(invalid);
    if (this.isClosed) return Promise.reject(new ConsumerClosedError(this.stream, this.name));
    const run = this.tail.then(operation);
    this.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async handle(events: StreamEvent[], handler: BatchHandler): Promise<number> {
    try {
      await handler(events);
      const ids: string[] = [];
      const inFlight: Promise<void>[] = [];
      for (const event of events) {
        const pending = event.pendingAck();
        if (pending) inFlight.push(pending);
        else ids.push(event.id);
      }
      if (ids.length > 0) {
        const done = this.reader.ack(ids);
        for (const event of events) if (!event.pendingAck()) event.markAcked(done);
        inFlight.push(done);
      }
      await Promise.all(inFlight);
      return events.length;
    } catch (error) {
      this.checkPending = true; // whatever was not acked is pending for this consumer
      throw error;
    }
  }
}
