import { MessageDecodeError } from '../errors/message-decode.error.js';
import { BODY_FIELD } from '../broker.constants.js';
import type { MessageCodec } from '../codec/message-codec.js';

/**
 * What events of one consumer share: where they come from and how to ack them.
 * @internal
 */
export interface StreamEventSource {
  readonly stream: string;
  /** Partition of a partitioned stream; undefined otherwise. */
  readonly partition: number | undefined;
  readonly group: string;
  readonly consumer: string;
  readonly codec: MessageCodec;
  /** Acks `ids` for the group and deletes those every group has acked. */
  ackIds(ids: string[]): Promise<void>;
}

const NOT_DECODED = Symbol('not decoded');

/**
 * One message read from a stream by a consumer. Fields stay raw Buffers until asked for, so a
 * handler that only looks at tags never pays for decoding the body.
 */
export class StreamEvent {
  private value: unknown = NOT_DECODED;
  private tagValues?: Readonly<Record<string, string>>;
  private ackPromise?: Promise<void>;

  /** @internal created by `BrokerConsumer` */
  constructor(
    private readonly source: StreamEventSource,
    /** Redis message id, e.g. `1709136000000-0`. */
    readonly id: string,
    private readonly fields: Buffer[],
    /** 1 on first delivery; the group's delivery counter on re-reads and claims. */
    readonly deliveryCount: number,
  ) {}

  /** Registered stream name (without key prefix). */
  get stream(): string {
    return this.source.stream;
  }

  /** The partition it was read from; `undefined` on an unpartitioned stream. */
  get partition(): number | undefined {
    return this.source.partition;
  }

  get group(): string {
    return this.source.group;
  }

  get consumer(): string {
    return this.source.consumer;
  }

  /** Whether `ack()` was called or the batch holding it was acked. */
  get acked(): boolean {
    return this.ackPromise !== undefined;
  }

  /** The raw msgpack body, `undefined` when the message has no body field. */
  get body(): Buffer | undefined {
    const fields = this.fields;
    for (let i = 0; i < fields.length; i += 2) {
      if (fields[i].toString() === BODY_FIELD) return fields[i + 1];
    }
    return undefined;
  }

  /** Every tag (string field other than the body); a null-prototype object. */
  get tags(): Readonly<Record<string, string>> {
    if (!this.tagValues) {
      const tags: Record<string, string> = Object.create(null);
      for (let i = 0; i < this.fields.length; i += 2) {
        const key = this.fields[i].toString();
        if (key !== BODY_FIELD) tags[key] = this.fields[i + 1].toString();
      }
      this.tagValues = tags;
    }
    return this.tagValues;
  }

  /** A tag given at publish, `undefined` when absent. */
  tag(key: string): string | undefined {
    return this.tags[key];
  }

  /** The decoded body, decoded once and cached; throws `MessageDecodeError`. */
  unserialize<T = unknown>(): T {
    if (this.value === NOT_DECODED) {
      const body = this.body;
      if (body === undefined) {
        throw new MessageDecodeError(this.stream, this.id, `it has no "${BODY_FIELD}" field`);
      }
      try {
        this.value = this.source.codec.decode(body);
      } catch (cause) {
        const reason = cause instanceof Error ? cause.message : String(cause);
        throw new MessageDecodeError(this.stream, this.id, reason, { cause });
      }
    }
    return this.value as T;
  }

  /** Acks the message and deletes it once every group acked it; later calls are no-ops. */
  ack(): Promise<void> {
    this.ackPromise ??= this.source.ackIds([this.id]).catch((error: unknown) => {
      this.ackPromise = undefined; // a failed ack may be retried
      throw error;
    });
    return this.ackPromise;
  }

  /** @internal the batch ack of `BrokerConsumer` acked it */
  markAcked(done: Promise<void>): void {
    this.ackPromise = done;
    done.catch(() => {
      if (this.ackPromise === done) this.ackPromise = undefined;
    });
  }

  /** @internal the ack in flight or done, if any */
  pendingAck(): Promise<void> | undefined {
    return this.ackPromise;
  }
}
