import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StoredEvent } from '../event-store/event-store.types.js';
import { MemoryEventStore } from '../event-store/memory/memory-event-store.js';
import type { FeedEvent } from './feed-event.js';
import { FeedStreamHub } from './feed-stream.hub.js';
import {
  appendCredits,
  type FeedApp,
  openSse,
  type SseTestClient,
  startFeedApp,
} from './feed.spec-helpers.js';

/** Appends like another process would: nothing in this process is told. */
class OtherProcessStore extends MemoryEventStore {
  protected override notifyAppended(_events: StoredEvent[]): void {}
}

const positions = (client: SseTestClient) => client.messages.map((m) => Number(m.id));

describe('SSE feed stream', () => {
  const apps: FeedApp[] = [];
  const clients: SseTestClient[] = [];
  const start = async (...args: Parameters<typeof startFeedApp>) => {
    const feed = await startFeedApp(...args);
    apps.push(feed);
    return feed;
  };
  const open = async (...args: Parameters<typeof openSse>) => {
    const client = await openSse(...args);
    clients.push(client);
    return client;
  };
  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    await Promise.all(apps.splice(0).map((f) => f.app.close()));
  });

  it('sends stored events after ?after, then each new event as it is stored', async () => {
    const feed = await start({ feed: { pageSize: 2 } });
    await appendCredits(feed.store, 5);
    const client = await open(`${feed.feedUrl}/stream?after=1`);
    expect(client.status).toBe(200);
    await vi.waitFor(() => expect(positions(client)).toEqual([2, 3, 4, 5]), { timeout: 20_000 });
    const [fresh] = await appendCredits(feed.store, 1, 'acc-late');
    await vi.waitFor(() => expect(positions(client)).toEqual([2, 3, 4, 5, 6]), { timeout: 20_000 });
    const last = client.messages[4];
    expect(last.event).toBe('feed-event');
    const data = JSON.parse(last.data) as FeedEvent;
    expect(data).toMatchObject({ event_id: fresh.eventId, position: 6, aggregate_id: 'acc-late' });
    expect(data.url).toBe(`${feed.feedUrl}/${fresh.eventId}`);
  });

  it('resumes after Last-Event-ID, which wins over ?after', async () => {
    const feed = await start({ feed: {} });
    await appendCredits(feed.store, 4);
    const client = await open(`${feed.feedUrl}/stream?after=0`, { 'last-event-id': '3' });
    await vi.waitFor(() => expect(positions(client)).toEqual([4]), { timeout: 20_000 });
  });

  it('polls for events other processes store, and sends heartbeats', async () => {
    const store = new OtherProcessStore();
    const feed = await start({ feed: { pollMs: 30, heartbeatMs: 30 }, store });
    const client = await open(`${feed.feedUrl}/stream`);
    await appendCredits(store, 2);
    await vi.waitFor(() => expect(positions(client)).toEqual([1, 2]), { timeout: 20_000 });
    await vi.waitFor(() => expect(client.raw()).toContain(': heartbeat'), { timeout: 20_000 });
  });

  it('forgets a connection when the client leaves, and ends open ones on shutdown', async () => {
    const feed = await start({ feed: {}, forceCloseConnections: false });
    const hub = feed.app.get(FeedStreamHub);
    const leaving = await open(`${feed.feedUrl}/stream`);
    const staying = await open(`${feed.feedUrl}/stream`);
    await vi.waitFor(() => expect(hub.size).toBe(2), { timeout: 20_000 });
    leaving.close();
    await vi.waitFor(() => expect(hub.size).toBe(1), { timeout: 20_000 });
    await feed.app.close(); // would hang if the open stream kept the server up
    apps.splice(0);
    await staying.ended;
    expect(hub.size).toBe(0);
  });
});
