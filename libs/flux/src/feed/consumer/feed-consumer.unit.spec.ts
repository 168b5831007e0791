import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryEventStore } from '../../event-store/memory/memory-event-store.js';
import { FeedStreamHub } from '../feed-stream.hub.js';
import {
  AccountCredited,
  AccountOpened,
  appendCredits,
  type FeedApp,
  startFeedApp,
} from '../feed.spec-helpers.js';
import type { FeedEvent } from '../feed-event.js';
import { MemoryOffsetStore } from '../offset-store/memory-offset-store.js';
import { FeedConsumer } from './feed-consumer.js';
import type { FeedConsumerOptions } from './feed-consumer.types.js';
import { freePort } from '../../../../../test/support/free-port.js';

const quiet = { debug: vi.fn(), log: vi.fn(), warn: vi.fn(), error: vi.fn() };

describe('FeedConsumer', () => {
  const apps: FeedApp[] = [];
  const consumers: FeedConsumer[] = [];
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
    await Promise.all(apps.splice(0).map((f) => f.app.close()));
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });
  const start = async (...args: Parameters<typeof startFeedApp>) => {
    const feed = await startFeedApp(...args);
    apps.push(feed);
    return feed;
  };
  const consumer = (options: Partial<FeedConsumerOptions> & { url: string }) => {
    const c = new FeedConsumer({
      name: 'test',
      interval: 20,
      events: [AccountCredited, AccountOpened],
      offsetStore: new MemoryOffsetStore(),
      backoff: { initial: 10, max: 100 },
      logger: quiet,
      ...options,
    });
    consumers.push(c);
    return c;
  };
  /** Records what the handler saw: [type, position, instance]. */
  const recorder = () => {
    const seen: Array<{ event: object; feedEvent: FeedEvent }> = [];
    const handler = async (event: object, feedEvent: FeedEvent) =>
      void seen.push({ event, feedEvent });
    return { seen, handler, positions: () => seen.map((s) => s.feedEvent.position) };
  };
  const appendMixed = async (store: FeedApp['store']) => {
    await store.append('acc-1', [{ type: 'AccountOpened', data: { owner: 'ann' } }], {
      expectedVersion: 0,
      aggregateName: 'account',
    });
    await store.append('acc-1', [{ type: 'AccountDebited', data: { amount: 5 } }], {
      expectedVersion: 1,
      aggregateName: 'account',
    });
    await appendCredits(store, 3, 'acc-1');
  };

  it.each(['poll', 'sse', 'auto'] as const)(
    '%s: hands every listed event over in order, passing over the others',
    async (mode) => {
      const feed = await start({ feed: { pageSize: 2 } });
      await appendMixed(feed.store);
      const offsets = new MemoryOffsetStore();
      const c = consumer({ url: feed.feedUrl, mode, pageSize: 2, offsetStore: offsets });
      const r = recorder();
      c.start(r.handler);
      await vi.waitFor(() => expect(r.positions()).toEqual([1, 3, 4, 5]), { timeout: 20_000 });
      expect(r.seen[0].event).toBeInstanceOf(AccountOpened);
      expect(r.seen[0].event).toEqual({ owner: 'ann' });
      expect(r.seen[1].event).toBeInstanceOf(AccountCredited);
      expect(quiet.debug).toHaveBeenCalledWith(
        expect.stringContaining('passes over AccountDebited at position 2'),
      );
      await appendCredits(feed.store, 2);
      await vi.waitFor(() => expect(r.positions()).toEqual([1, 3, 4, 5, 6, 7]), {
        timeout: 20_000,
      });
      await vi.waitFor(async () => expect(await offsets.get('test')).toBe(7), { timeout: 20_000 });
      expect(c.status()).toMatchObject({
        state: 'running',
        offset: 7,
        transport: mode === 'poll' ? 'poll' : 'sse',
        failures: 0,
      });
    },
  );

  it('moves the offset only after the handler succeeded, retrying a failing event', async () => {
    const feed = await start({ feed: {} });
    await appendCredits(feed.store, 5);
    const offsets = new MemoryOffsetStore();
    const c = consumer({ url: feed.feedUrl, offsetStore: offsets });
    let healed = false;
    const attempts: number[] = [];
    c.start(async (_event, feedEvent) => {
      attempts.push(feedEvent.position);
      if (feedEvent.position === 3 && !healed) throw new Error('projection down');
    });
    await vi.waitFor(() => expect(c.status().failures).toBeGreaterThanOrEqual(2), {
      timeout: 20_000,
    });
    expect(await offsets.get('test')).toBe(2);
    expect(c.status()).toMatchObject({ offset: 2, lastError: 'projection down' });
    healed = true;
    await vi.waitFor(async () => expect(await offsets.get('test')).toBe(5), { timeout: 20_000 });
    expect(attempts.filter((p) => p !== 3)).toEqual([1, 2, 4, 5]);
    expect(attempts.indexOf(4)).toBeGreaterThan(attempts.lastIndexOf(3));
    expect(c.status()).toMatchObject({ failures: 0, offset: 5 });
    expect(c.status().totalFailures).toBeGreaterThanOrEqual(2);
  });

  it('pauses (closing its connection), resumes, and stop waits for the handler in progress', async () => {
    const feed = await start({ feed: {} });
    const hub = feed.app.get(FeedStreamHub);
    const c = consumer({ url: feed.feedUrl, mode: 'sse' });
    const r = recorder();
    let release!: () => void;
    let blockAt = 0;
    c.start(async (event, feedEvent) => {
      if (feedEvent.position === blockAt) await new Promise<void>((resolve) => (release = resolve));
      await r.handler(event, feedEvent);
    });
    await appendCredits(feed.store, 1);
    await vi.waitFor(() => expect(r.positions()).toEqual([1]), { timeout: 20_000 });
    c.pause();
    expect(c.status().state).toBe('paused');
    await vi.waitFor(() => expect(hub.size).toBe(0), { timeout: 20_000 }); // not reading while paused
    await appendCredits(feed.store, 2);
    expect(r.positions()).toEqual([1]);
    blockAt = 3;
    c.resume();
    await vi.waitFor(() => expect(r.positions()).toEqual([1, 2]), { timeout: 20_000 });
    await vi.waitFor(() => expect(release).toBeTypeOf('function'), { timeout: 20_000 });
    let stopped = false;
    const stopping = c.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false); // the handler of position 3 is still running
    release();
    await stopping;
    expect(r.positions()).toEqual([1, 2, 3]);
    expect(c.status()).toMatchObject({ state: 'stopped', offset: 3 });
  });

  it('keeps retrying while the server is down and carries on when it is back', async () => {
    const store = new MemoryEventStore();
    const port = await freePort();
    let feed = await start({ feed: {}, store, port });
    await appendCredits(store, 2);
    const c = consumer({ url: feed.feedUrl, mode: 'auto' });
    const r = recorder();
    c.start(r.handler);
    await vi.waitFor(() => expect(r.positions()).toEqual([1, 2]), { timeout: 20_000 });
    await feed.app.close();
    apps.splice(0);
    await appendCredits(store, 2);
    await vi.waitFor(() => expect(c.status().failures).toBeGreaterThan(0), { timeout: 20_000 });
    feed = await start({ feed: {}, store, port });
    await vi.waitFor(() => expect(r.positions()).toEqual([1, 2, 3, 4]), { timeout: 10_000 });
    expect(c.status()).toMatchObject({ state: 'running', transport: 'sse', failures: 0 });
  });

  it('auto mode polls a server that offers no SSE stream', async () => {
    const feed = await start({ feed: {} });
    await appendCredits(feed.store, 3);
    // A feed server without the stream route, as Flux's original one.
    const server = createServer(async (req, res) => {
      if (req.url!.startsWith('/events/stream')) return void res.writeHead(404).end();
      try {
        const upstream = await fetch(`${feed.origin}${req.url}`);
        res
          .writeHead(upstream.status, { 'content-type': 'application/json' })
          .end(await upstream.text());
      } catch {
        // The feed app closes before this proxy at the end of the test: answer like a gateway.
        res.writeHead(502).end();
      }
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const c = consumer({ url: `http://127.0.0.1:${port}/events` });
    const r = recorder();
    c.start(r.handler);
    await vi.waitFor(() => expect(r.positions()).toEqual([1, 2, 3]), { timeout: 20_000 });
    expect(c.status().transport).toBe('poll');
  });

  it('sends its headers, so a guarded feed can be followed', async () => {
    const feed = await start({
      feed: {
        guards: [
          { canActivate: (ctx) => ctx.switchToHttp().getRequest().headers['x-key'] === 'k' },
        ],
      },
    });
    await appendCredits(feed.store, 1);
    const c = consumer({ url: feed.feedUrl, headers: async () => ({ 'x-key': 'k' }) });
    const r = recorder();
    c.start(r.handler);
    await vi.waitFor(() => expect(r.positions()).toEqual([1]), { timeout: 20_000 });
  });
});
