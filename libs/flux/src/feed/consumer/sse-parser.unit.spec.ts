import { describe, expect, it } from 'vitest';
import { SseParser } from './sse-parser.js';

describe('SseParser', () => {
  it('parses fields, multi-line data, comments and retry', () => {
    const parser = new SseParser();
    const messages = parser.push(
      ': hello\nretry: 1500\nid: 7\nevent: feed-event\ndata: {"a":\ndata: 1}\n\n',
    );
    expect(messages).toEqual([{ id: '7', event: 'feed-event', data: '{"a":\n1}' }]);
    expect(parser.retry).toBe(1500);
  });

  it('handles every line ending and chunks split anywhere, even inside CRLF', () => {
    const text = 'id: 1\r\ndata: a\r\n\r\nid: 2\rdata: b\r\rdata: c\n\n';
    for (let size = 1; size <= text.length; size++) {
      const parser = new SseParser();
      const messages = [];
      for (let i = 0; i < text.length; i += size)
        messages.push(...parser.push(text.slice(i, i + size)));
      expect(messages).toEqual([
        { id: '1', event: 'message', data: 'a' },
        { id: '2', event: 'message', data: 'b' },
        { id: '2', event: 'message', data: 'c' },
      ]);
    }
  });

  it('dispatches nothing for a block without data', () => {
    expect(new SseParser().push('event: x\n\n: heartbeat\n\n')).toEqual([]);
  });
});
