import { FEED_SSE_EVENT, type FeedEvent } from '../feed-event.js';
import { FeedHttpError } from './feed-http.error.js';
import { SseParser } from './sse-parser.js';

type Headers = Record<string, string>;

/** Statuses meaning "this server has no SSE endpoint", as opposed to "it is failing". */
const NO_STREAM = new Set([404, 405, 406, 501]);

/**
 * The HTTP side of the consumer: one page, or one SSE connection. Framework-free (global fetch).
 * @internal
 */
export class FeedClient {
  private readonly base: URL;

  constructor(
    url: string,
    private readonly headers: () => Promise<Headers>,
    private readonly requestTimeout: number,
  ) {
    this.base = new URL(url);
    this.base.pathname = this.base.pathname.replace(/\/+$/, '');
  }

  /** `GET <url>?after=&limit=`: the events after `after`, validated. */
  async page(after: number, limit: number, signal: AbortSignal): Promise<FeedEvent[]> {
    const url = new URL(this.base);
    url.searchParams.set('after', String(after));
    url.searchParams.set('limit', String(limit));
    const response = await fetch(url, {
      headers: { accept: 'application/json', ...(await this.headers()) },
      signal: AbortSignal.any([signal, AbortSignal.timeout(this.requestTimeout)]),
    });
    if (!response.ok) throw await FeedHttpError.from(url, response);
    const body = (await response.json()) as { events?: unknown };
    if (!Array.isArray(body?.events))
      throw new FeedHttpError(url, response.status, 'no "events" array in the page');
    return body.events.map((event) => checkFeedEvent(url, event));
  }

  /**
   * Opens `GET <url>/stream?after=`; `'unsupported'` when the server has no SSE endpoint.
   * The caller reads it with `read` and aborts `signal` to close it.
   */
  async openStream(
    after: number,
    signal: AbortSignal,
  ): Promise<ReadableStream<Uint8Array> | 'unsupported'> {
    const url = new URL(this.base);
    url.pathname += '/stream';
    url.searchParams.set('after', String(after));
    const response = await fetch(url, {
      headers: { accept: 'text/event-stream', ...(await this.headers()) },
      signal,
    });
    const type = response.headers.get('content-type') ?? '';
    if (NO_STREAM.has(response.status) || (response.ok && !type.startsWith('text/event-stream'))) {
      await response.body?.cancel().catch(() => undefined);
      return 'unsupported';
    }
    if (!response.ok || !response.body) throw await FeedHttpError.from(url, response);
    return response.body;
  }

  /** Yields the feed events of an open stream, one received chunk at a time (a batch). */
  async *read(body: ReadableStream<Uint8Array>, onBytes: () => void): AsyncGenerator<FeedEvent[]> {
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const url = new URL(this.base);
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      onBytes();
      const messages = parser.push(decoder.decode(chunk, { stream: true }));
      yield messages
        .filter((message) => message.event === FEED_SSE_EVENT)
        .map((message) => checkFeedEvent(url, JSON.parse(message.data)));
    }
  }
}

/** Guards the fields the consumer relies on; the rest is passed through to the handler. */
function checkFeedEvent(url: URL, value: unknown): FeedEvent {
  const event = value as FeedEvent;
  if (
    typeof event?.event_type !== 'string' ||
    typeof event.event_id !== 'string' ||
    !Number.isSafeInteger(event.position)
  ) {
    throw new FeedHttpError(
      url,
      200,
      'a feed event lacks event_id, event_type or an integer position',
    );
  }
  return event;
}
