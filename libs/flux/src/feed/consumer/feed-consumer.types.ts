import type { EventClass } from '../../event-sourcing/event-handler.decorator.js';
import type { FeedEvent } from '../feed-event.js';
import type { OffsetStore } from '../offset-store/offset-store.js';
import type { FluxTracer } from '../../observability/tracing/flux-tracer.js';

/** `'sse'` follows `GET <url>/stream`; `'poll'` pages `GET <url>`; `'auto'` tries SSE first. */
export type FeedMode = 'poll' | 'sse' | 'auto';

/** Receives each event as an instance of its `@DomainEvent` class (upcast) with its feed entry. */
export type FeedEventHandler = (event: any, feedEvent: FeedEvent) => Promise<void>;

/** What the consumer logs through; Nest's `Logger` fits, and so does `console`. */
export interface FeedLogger {
  debug?(message: string): void;
  log?(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface FeedConsumerOptions {
  /** The feed's URL, e.g. `http://bank-command:3000/events`. */
  url: string;
  /** The consumer's name: the key of its offset. */
  name: string;
  /** Poll interval in ms (polling mode; also the idle wait before re-probing). */
  interval: number;
  /** The event classes to handle; other types are passed over. */
  events: EventClass[];
  offsetStore: OffsetStore;
  /** Default `'auto'`. */
  mode?: FeedMode;
  /** Events per request when polling (1..1000); default 100. */
  pageSize?: number;
  logger?: FeedLogger;
  /** Sent with every request (e.g. `authorization` for a guarded feed); may be recomputed. */
  headers?:
    Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
  /** Retry delays (failing handler, server down): doubling from `initial` up to `max`. */
  backoff?: { initial?: number; max?: number };
  /** An SSE connection with no byte (event or heartbeat) for this long is reopened; default 60000. */
  idleTimeout?: number;
  /** Per-request timeout of a poll; default 30000. */
  requestTimeout?: number;
  /**
   * Follow the feed in one replica at a time (default `true` when the offset store keeps
   * leases, as every store of the library does): the others stand by and take over within
   * `leaseTtl` when the holder dies, at once when it stops. `false` lets every instance follow.
   */
  lease?: boolean;
  /** Time-to-live of that lease in ms; default 10000. */
  leaseTtl?: number;
  /**
   * Timers are unref'd by default, so a consumer never keeps a process alive by itself (a Nest
   * app's HTTP server does). Set `true` in a standalone script whose only work is consuming.
   */
  keepAlive?: boolean;
  /**
   * Spans per handled event, children of the trace saved with the event (docs/operations.md).
   * `@FeedSubscriber`s get the application's; standalone: `await createFluxTracer()`.
   */
  tracer?: FluxTracer;
}

export type FeedConsumerState = 'running' | 'paused' | 'stopped';

export interface FeedConsumerStatus {
  state: FeedConsumerState;
  /** Position of the last event finished with (handled or passed over). */
  offset: number;
  /** The transport in use: `'sse'` or `'poll'` (`null` before the first connection). */
  transport: 'sse' | 'poll' | null;
  /** When a handler last succeeded. */
  lastSuccessAt: Date | null;
  /** Consecutive failures (handler errors, unreachable server) since the last success. */
  failures: number;
  totalFailures: number;
  lastError: string | null;
  /**
   * `'held'`: this instance follows the feed; `'standby'`: another replica does and this one
   * waits to take over; `null` without a lease (or before the first attempt).
   */
  lease: 'held' | 'standby' | null;
}
