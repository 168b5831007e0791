import { Injectable } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventHandler } from '../../event-sourcing/event-handler.decorator.js';
import type { FeedEvent } from '../feed-event.js';
import {
  AccountCredited,
  AccountOpened,
  appendCredits,
  type FeedApp,
  startFeedApp,
} from '../feed.spec-helpers.js';
import { MemoryOffsetStore } from '../offset-store/memory-offset-store.js';
import { FeedSubscriber } from './feed-subscriber.decorator.js';
import { FeedSubscribers } from './feed-subscribers.orchestrator.js';

const OFFSETS = 'test:offsets';

@Injectable()
class Ledger {
  readonly entries: string[] = [];
}

describe('@FeedSubscriber', () => {
  const apps: FeedApp[] = [];
  afterEach(async () => {
    await Promise.all(
      apps
        .splice(0)
        .reverse()
        .map((f) => f.app.close()),
    );
  });

  it("follows another app's feed from bootstrap to shutdown", async () => {
    const command = await startFeedApp({ feed: {} });
    apps.push(command);
    await command.store.append('acc-1', [{ type: 'AccountOpened', data: { owner: 'ann' } }], {
      expectedVersion: 0,
      aggregateName: 'account',
    });
    await appendCredits(command.store, 2, 'acc-1');

    @FeedSubscriber(() => command.feedUrl, { name: 'ledger', interval: 20, offsetStore: OFFSETS })
    class LedgerSubscriber {
      constructor(private readonly ledger: Ledger) {}

      @EventHandler(AccountOpened)
      async opened(event: AccountOpened, feedEvent: FeedEvent) {
        this.ledger.entries.push(`${feedEvent.position}:opened:${event.owner}`);
      }

      @EventHandler(AccountCredited)
      async credited(event: AccountCredited) {
        this.ledger.entries.push(`credited:${event.amount}`);
      }
    }

    const offsets = new MemoryOffsetStore();
    const read = await startFeedApp({
      providers: [Ledger, LedgerSubscriber, { provide: OFFSETS, useValue: offsets }],
    });
    apps.push(read);
    const ledger = read.app.get(Ledger);
    await vi.waitFor(
      () => expect(ledger.entries).toEqual(['1:opened:ann', 'credited:1', 'credited:2']),
      { timeout: 20_000 },
    );
    await appendCredits(command.store, 1, 'acc-2');
    await vi.waitFor(() => expect(ledger.entries).toHaveLength(4), { timeout: 20_000 });
    await vi.waitFor(async () => expect(await offsets.get('ledger')).toBe(4), { timeout: 20_000 });
    const subscribers = read.app.get(FeedSubscribers);
    expect(subscribers.status().ledger).toMatchObject({ state: 'running', offset: 4 });
    await read.app.close();
    apps.splice(apps.indexOf(read), 1);
    expect(subscribers.status().ledger.state).toBe('stopped');
  });

  it('fails the bootstrap, naming the class, for a subscriber without @EventHandler', async () => {
    @FeedSubscriber('http://127.0.0.1:1/events')
    class Empty {}
    await expect(startFeedApp({ providers: [Empty] })).rejects.toThrow(
      /@FeedSubscriber Empty.*no @EventHandler/,
    );
  });

  it('fails the bootstrap for an offset store token that is not provided', async () => {
    @FeedSubscriber('http://127.0.0.1:1/events', { offsetStore: 'missing:store' })
    class Orphan {
      @EventHandler(AccountCredited) async credited() {}
    }
    await expect(startFeedApp({ providers: [Orphan] })).rejects.toThrow(/Orphan.*missing:store/);
  });

  it('fails the bootstrap when two subscribers share a name', async () => {
    @FeedSubscriber('http://127.0.0.1:1/events', { name: 'same' })
    class First {
      @EventHandler(AccountCredited) async credited() {}
    }
    @FeedSubscriber('http://127.0.0.1:1/events', { name: 'same' })
    class Second {
      @EventHandler(AccountCredited) async credited() {}
    }
    await expect(startFeedApp({ providers: [First, Second] })).rejects.toThrow(
      /already uses the name "same"/,
    );
  });
});
