import type { ServerResponse } from 'node:http';
import type { EventStore } from '../event-store/event-store.js';
import { FEED_SSE_EVENT, toFeedEvent } from './feed-event.js';

/** @internal */
export interface FeedStreamSettings {
  after: number;
  pageSize: number;
  heartbeatMs: number;
  pollMs: number;
  /** The feed's absolute URL, for each event's `url`. */
  base: string;
  onError: (error: unknown) => void;
}

/**
 * One Server-Sent Events connection: pages through `readAll` from `after`, then waits for an
 * in-process append (`onAppended`) or the next poll (other processes write to the same store).
 * Memory stays bounded: one page at a time, and writing waits for the socket to drain.
 * @internal
 */
export class FeedStreamSession {
  private closed = false;
  /** Set by a wake-up that arrives while a page is being read, so it is not lost. */
  private pending = false;
  private wake?: () => void;

  constructor(
    private readonly store: EventStore,
    private readonly res: ServerResponse,
    private readonly settings: FeedStreamSettings,
  ) {}

  async run(): Promise<void> {
    const { res, settings } = this;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      // The socket is of no use once the stream ends; keeping it would hold the server's close.
      connection: 'close',
      // nginx buffers responses unless told otherwise, which would hold events back.
      'x-accel-buffering': 'no',
    });
    res.write(`retry: ${Math.min(settings.pollMs * 2, 5_000)}\n\n`);
    const unsubscribe = this.store.onAppended(() => this.signal());
    const heartbeat = setInterval(() => this.write(': heartbeat\n\n'), settings.heartbeatMs);
    heartbeat.unref();
    res.once('close', () => this.close());
    try {
      await this.loop();
    } finally {
      unsubscribe();
      clearInterval(heartbeat);
      if (!res.writableEnded) res.end();
    }
  }

  /** Ends the connection (client gone, or the application shutting down). */
  close(): void {
    this.closed = true;
    // A client that stopped reading would hold the server's close open; it reconnects anyway
    // with the Last-Event-ID of the last event it fully received, so nothing is lost.
    if (this.res.writableNeedDrain) this.res.destroy();
    this.signal();
  }

  private async loop(): Promise<void> {
    let after = this.settings.after;
    while (!this.closed) {
      this.pending = false;
      let page;
      try {
        page = await this.store.readAll({ after, limit: this.settings.pageSize });
      } catch (error) {
        // The store may be briefly unreachable: keep the client connected and try again.
        this.settings.onError(error);
        await this.idle();
        continue;
      }
      for (const event of page) {
        if (this.closed) return;
        const feedEvent = toFeedEvent(event, this.settings.base);
        const frame = `id: ${event.position}\nevent: ${FEED_SSE_EVENT}\ndata: ${JSON.stringify(feedEvent)}\n\n`;
        after = event.position;
        this.write(frame);
        // Appends also wake the wait; only a drained socket (or close) lets writing go on.
        while (this.res.writableNeedDrain && !this.closed) await this.drained();
      }
      if (page.length < this.settings.pageSize) await this.idle();
    }
  }

  private write(chunk: string): void {
    if (!this.closed && !this.res.writableEnded) this.res.write(chunk);
  }

  private signal(): void {
    this.pending = true;
    this.wake?.();
  }

  /** Waits for an append, the poll interval or close, whichever comes first. */
  private idle(): Promise<void> {
    if (this.pending || this.closed) return Promise.resolve();
    return this.waitFor((done) => {
      const timer = setTimeout(done, this.settings.pollMs);
      return () => clearTimeout(timer);
    });
  }

  /** Waits until the socket takes more data (or the session closes): bounded buffering. */
  private drained(): Promise<void> {
    return this.waitFor((done) => {
      this.res.on('drain', done);
      return () => this.res.off('drain', done);
    });
  }

  private waitFor(arm: (done: () => void) => () => void): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        disarm();
        this.wake = undefined;
        resolve();
      };
      const disarm = arm(done);
      this.wake = done;
    });
  }
}
