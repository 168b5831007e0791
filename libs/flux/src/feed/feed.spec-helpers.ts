import { randomUUID } from 'node:crypto';
import type { DynamicModule, INestApplication, ModuleMetadata } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { DomainEvent } from '../event-sourcing/domain-event.decorator.js';
import { EventStore } from '../event-store/event-store.js';
import type { StoredEvent } from '../event-store/event-store.types.js';
import { MemoryEventStore } from '../event-store/memory/memory-event-store.js';
import { FluxModule } from '../module/flux.module.js';
import type { FeedOptions } from './feed.options.js';
import { type SseMessage, SseParser } from './consumer/sse-parser.js';
import type { FeedServerOptions } from './feed.options.js';
import { FluxFeedModule } from './feed.module.js';
import { createFeedSubscriberProviders } from './subscriber/feed-subscriber.providers.js';
import { FeedSubscriberExplorer } from './subscriber/feed-subscriber.explorer.js';

@DomainEvent('AccountOpened')
export class AccountOpened {
  constructor(readonly owner: string) {}
}

@DomainEvent('AccountCredited')
export class AccountCredited {
  constructor(readonly amount: number) {}
}

@DomainEvent('AccountDebited')
export class AccountDebited {
  constructor(readonly amount: number) {}
}

export interface FeedApp {
  app: INestApplication;
  store: EventStore;
  /** Origin, e.g. `http://127.0.0.1:41234`. */
  origin: string;
  /** The feed's URL. */
  feedUrl: string;
}

export interface FeedAppOptions extends Pick<ModuleMetadata, 'providers'> {
  feed?: FeedServerOptions;
  /** Reuse a store across app restarts (what a database does). */
  store?: EventStore;
  port?: number;
  /**
   * Destroy keep-alive sockets on close (default true): fetch keeps idle sockets for 4 s, which
   * `server.close()` waits for. Off where a test proves the app itself ends its streams.
   */
  forceCloseConnections?: boolean;
}

/**
 * A real Nest app over HTTP (port 0 unless given) with `FluxModule.forRoot({ feed })`. Until
 * `FluxModule` imports the feed and subscriber wiring itself, the missing parts are added here.
 */
export async function startFeedApp(options: FeedAppOptions = {}): Promise<FeedApp> {
  const root: DynamicModule = FluxModule.forRoot(
    options.feed ? { feed: options.feed as FeedOptions } : {},
  );
  const imports: ModuleMetadata['imports'] = [root];
  const providers = [...(options.providers ?? [])];
  const wiredFeed = root.imports?.some((m) => (m as DynamicModule)?.module === FluxFeedModule);
  if (options.feed && !wiredFeed) imports.push(FluxFeedModule.forRoot(options.feed));
  const rootProviders = [
    ...(root.providers ?? []),
    ...(Reflect.getMetadata('providers', FluxModule) ?? []),
  ];
  if (!rootProviders.includes(FeedSubscriberExplorer)) {
    imports.push(DiscoveryModule);
    providers.push(...createFeedSubscriberProviders());
  }
  let builder = Test.createTestingModule({ imports, providers });
  if (options.store) builder = builder.overrideProvider(EventStore).useValue(options.store);
  const app = (await builder.compile()).createNestApplication({
    logger: ['error'],
    forceCloseConnections: options.forceCloseConnections ?? true,
  });
  await app.listen(options.port ?? 0, '127.0.0.1');
  const origin = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const path = (options.feed?.path ?? 'events').replace(/^\/+|\/+$/g, '');
  return { app, store: app.get(EventStore), origin, feedUrl: `${origin}/${path}` };
}

/** Appends `count` credits to a fresh account through `EventStore.append`. */
export async function appendCredits(
  store: EventStore,
  count: number,
  aggregateId = `acc-${randomUUID()}`,
): Promise<StoredEvent[]> {
  const events = Array.from({ length: count }, (_, i) => ({
    type: 'AccountCredited',
    data: { amount: i + 1 },
  }));
  return store.append(aggregateId, events, { expectedVersion: 'any', aggregateName: 'account' });
}

export const newMemoryStore = () => new MemoryEventStore();

export interface SseTestClient {
  status: number;
  messages: SseMessage[];
  /** Everything received, comments included. */
  raw(): string;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

/** Opens an SSE connection and collects what arrives, parsed with the consumer's parser. */
export async function openSse(
  url: string,
  headers: Record<string, string> = {},
): Promise<SseTestClient> {
  const abort = new AbortController();
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: abort.signal,
  });
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const messages: SseMessage[] = [];
  let raw = '';
  const ended = (async () => {
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        const text = decoder.decode(chunk, { stream: true });
        raw += text;
        messages.push(...parser.push(text));
      }
    } catch {
      // aborted by close()
    }
  })();
  return { status: response.status, messages, raw: () => raw, ended, close: () => abort.abort() };
}
