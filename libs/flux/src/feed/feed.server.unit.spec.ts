import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedEvent, FeedPage } from './feed-event.js';
import { appendCredits, type FeedApp, startFeedApp } from './feed.spec-helpers.js';

const get = async (url: string, headers: Record<string, string> = {}) => {
  const response = await fetch(url, { headers });
  return { status: response.status, body: (await response.json()) as any };
};

describe('HTTP feed', () => {
  let feed: FeedApp;

  beforeAll(async () => {
    feed = await startFeedApp({ feed: { pageSize: 2 } });
    await appendCredits(feed.store, 3, 'acc-1');
    await appendCredits(feed.store, 2, 'acc-2');
  });
  afterAll(() => feed.app.close());

  it('serves FeedEvents with their absolute url', async () => {
    const { status, body } = await get(`${feed.feedUrl}?limit=1`);
    expect(status).toBe(200);
    expect(body.description).toBe('event feed');
    const [event] = body.events as FeedEvent[];
    expect(event).toEqual({
      event_id: expect.any(String),
      url: `${feed.feedUrl}/${event.event_id}`,
      aggregate_id: 'acc-1',
      aggregate_name: 'account',
      aggregate_version: 1,
      event_type: 'AccountCredited',
      position: 1,
      created: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      data: { amount: 1 },
      metadata: {},
    });
    expect(body.next).toBe(`${feed.feedUrl}?after=1&limit=1`);
    expect(await get(event.url)).toEqual({ status: 200, body: event });
  });

  it('pages with the default page size and follows next to the end', async () => {
    const positions: number[] = [];
    let url = feed.feedUrl;
    for (let page = 0; page < 10; page++) {
      const body: FeedPage = (await get(url)).body;
      expect(body.events.length).toBeLessThanOrEqual(2);
      if (body.events.length === 0) {
        expect(body.next).toBe(url); // an empty page points at itself
        break;
      }
      positions.push(...body.events.map((e) => e.position));
      url = body.next;
    }
    expect(positions).toEqual([1, 2, 3, 4, 5]);
  });

  it.each([
    ['after=-1', 'after'],
    ['after=abc', 'after'],
    ['after=1.5', 'after'],
    ['after=1&after=2', 'after'],
    ['after=99999999999999999', 'after'],
    ['limit=0', 'limit'],
    ['limit=1001', 'limit'],
    ['limit=x', 'limit'],
  ])('rejects %s with a 400 naming %s', async (query, parameter) => {
    const { status, body } = await get(`${feed.feedUrl}?${query}`);
    expect(status).toBe(400);
    expect(body).toMatchObject({ statusCode: 400, parameter });
    expect(body.message).toContain(parameter);
  });

  it('answers 404 for an unknown event and 400 for an over-long id', async () => {
    const missing = await get(`${feed.feedUrl}/no-such-event`);
    expect(missing.status).toBe(404);
    expect(missing.body.message).toContain('no-such-event');
    const long = await get(`${feed.feedUrl}/${'x'.repeat(256)}`);
    expect(long).toMatchObject({ status: 400, body: { parameter: 'event_id' } });
  });

  it('rejects a garbage Last-Event-ID on the stream with a 400', async () => {
    const { status, body } = await get(`${feed.feedUrl}/stream`, { 'last-event-id': 'nope' });
    expect(status).toBe(400);
    expect(body.parameter).toBe('Last-Event-ID');
  });
});

@Injectable()
class TokenGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToHttp().getRequest().headers.authorization === 'Bearer secret';
  }
}

describe('HTTP feed behind a guard, on a custom path', () => {
  let feed: FeedApp;

  beforeAll(async () => {
    feed = await startFeedApp({ feed: { path: '/internal/feed/', guards: [TokenGuard] } });
    await appendCredits(feed.store, 1);
  });
  afterAll(() => feed.app.close());

  it('rejects requests the guard refuses, on every route', async () => {
    expect(feed.feedUrl).toMatch(/\/internal\/feed$/);
    expect((await get(feed.feedUrl)).status).toBe(403);
    expect((await get(`${feed.feedUrl}/stream`)).status).toBe(403);
    expect((await get(`${feed.feedUrl}/some-id`)).status).toBe(403);
  });

  it('serves requests the guard lets through', async () => {
    const { status, body } = await get(feed.feedUrl, { authorization: 'Bearer secret' });
    expect(status).toBe(200);
    expect(body.events).toHaveLength(1);
    expect(body.events[0].url.startsWith(`${feed.feedUrl}/`)).toBe(true);
  });
});
