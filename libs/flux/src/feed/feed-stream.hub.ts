import { type BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import type { FeedStreamSession } from './feed-stream.js';

/**
 * The open SSE connections of one application. They never end on their own, so the HTTP
 * server could not close: they are ended before the server shuts down.
 * @internal
 */
@Injectable()
export class FeedStreamHub implements BeforeApplicationShutdown {
  private readonly sessions = new Map<FeedStreamSession, Promise<void>>();

  /** Runs the session in the background until the client leaves or the app shuts down. */
  serve(session: FeedStreamSession, onError: (error: unknown) => void): void {
    const running = session
      .run()
      .catch(onError)
      .finally(() => this.sessions.delete(session));
    this.sessions.set(session, running);
  }

  get size(): number {
    return this.sessions.size;
  }

  async beforeApplicationShutdown(): Promise<void> {
    const running = [...this.sessions];
    for (const [session] of running) session.close();
    await Promise.allSettled(running.map(([, done]) => done));
  }
}
