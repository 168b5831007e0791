import { FeedProtocolError } from '../../errors/feed-protocol.error.js';

/** Bounds memory against a server that never ends a line; feed events are far smaller. */
const MAX_LINE = 16 * 1024 * 1024;

/**
 * One dispatched Server-Sent Event.
 * @internal
 */
export interface SseMessage {
  /** The last event id seen on the connection (ids persist across messages, per the spec). */
  id: string | undefined;
  /** `event:` field; `'message'` when absent. */
  event: string;
  data: string;
}

/**
 * An incremental parser of the `text/event-stream` format (WHATWG HTML §9.2): feed it decoded
 * text in chunks of any size; it returns the messages completed by each chunk. Comment lines
 * (heartbeats) and `retry:` produce no message.
 * @internal
 */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private lastId: string | undefined;
  /** The reconnection delay the server asked for, if any. */
  retry: number | undefined;

  push(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const messages: SseMessage[] = [];
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer[i];
      if (c !== '\n' && c !== '\r') continue;
      // A CR at the very end may be the first half of CRLF: wait for the next chunk.
      if (c === '\r' && i === this.buffer.length - 1) break;
      const message = this.line(this.buffer.slice(start, i));
      if (message) messages.push(message);
      if (c === '\r' && this.buffer[i + 1] === '\n') i++;
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
    if (this.buffer.length > MAX_LINE)
      throw new FeedProtocolError(`SSE line longer than ${MAX_LINE} characters`);
    return messages;
  }

  private line(line: string): SseMessage | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        break;
      case 'event':
        this.event = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
    }
    return undefined;
  }

  private dispatch(): SseMessage | undefined {
    const data = this.data;
    const event = this.event || 'message';
    this.data = [];
    this.event = '';
    if (data.length === 0) return undefined;
    return { id: this.lastId, event, data: data.join('\n') };
  }
}
