import { Injectable, Logger, type OnModuleInit, Optional, type Type } from '@nestjs/common';
import { FluxInstrumentation } from '../../observability/flux-instrumentation.js';
import { DiscoveryService, MetadataScanner, ModuleRef } from '@nestjs/core';
import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';
import { ClaimedKeys } from '../../discovery/claimed-keys.js';
import {
  assertSingleton,
  type DecoratedProvider,
  decoratedProviders,
  instanceOf,
} from '../../discovery/decorated-providers.js';
import { FeedConsumer } from '../consumer/feed-consumer.js';
import { MemoryOffsetStore } from '../offset-store/memory-offset-store.js';
import type { OffsetStore } from '../offset-store/offset-store.js';
import { FeedSubscriberMetadataAccessor } from './feed-subscriber.accessor.js';
import type { FeedSubscriberMetadata, FeedSubscriberOptions } from './feed-subscriber.decorator.js';
import { resolveSubscriberHandlers } from './feed-subscriber.handlers.js';
import { FeedSubscribers } from './feed-subscribers.orchestrator.js';

/**
 * Finds `@FeedSubscriber` providers and validates them in `onModuleInit`, so a misconfigured
 * subscriber fails the bootstrap with a message naming it; `FeedSubscribers` starts them later.
 * @internal
 */
@Injectable()
export class FeedSubscriberExplorer implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly accessor: FeedSubscriberMetadataAccessor,
    private readonly moduleRef: ModuleRef,
    private readonly subscribers: FeedSubscribers,
    @Optional() private readonly instrumentation?: FluxInstrumentation,
  ) {}

  onModuleInit(): void {
    const names = new ClaimedKeys();
    const subscribers = decoratedProviders(this.discovery, (cls) => this.accessor.getMetadata(cls));
    for (const provider of subscribers) {
      const { cls, metadata } = provider;
      const name = metadata.options.name ?? cls.name;
      names.claim(
        name,
        cls.name,
        (other) =>
          new InvalidArgumentError(
            `@FeedSubscriber ${cls.name}`,
            `${other} already uses the name "${name}", which keys the offset; give each subscriber its own name`,
          ),
      );
      this.define(provider, name);
    }
  }

  private define(provider: DecoratedProvider<FeedSubscriberMetadata>, name: string): void {
    const { cls, metadata } = provider;
    const { url, options } = metadata;
    const invalid = (reason: string) =>
      new InvalidArgumentError(`@FeedSubscriber ${cls.name}`, reason);
    assertSingleton(provider, '@FeedSubscriber', 'Feed subscribers');
    const instance = instanceOf(provider);
    const { events, handler } = resolveSubscriberHandlers(cls, instance, this.scanner);
    const consumer = new FeedConsumer({
      ...options,
      url: typeof url === 'function' ? url() : url,
      name,
      interval: options.interval ?? 5_000,
      events,
      offsetStore: this.offsetStore(cls, options.offsetStore ?? 'memory', invalid),
      logger: new Logger(`FeedSubscriber:${cls.name}`),
      tracer: this.instrumentation?.tracer,
    });
    this.subscribers.add(consumer, handler);
  }

  private offsetStore(
    cls: Type,
    option: NonNullable<FeedSubscriberOptions['offsetStore']>,
    invalid: (reason: string) => Error,
  ): OffsetStore {
    if (option === 'memory') return new MemoryOffsetStore();
    if (isOffsetStore(option)) return option;
    let store: unknown;
    try {
      store = this.moduleRef.get(option, { strict: false });
    } catch {
      throw invalid(`offsetStore ${describeToken(option)} is not a provider of the application`);
    }
    if (!isOffsetStore(store))
      throw invalid(
        `offsetStore ${describeToken(option)} has no get(name) and save(name, position)`,
      );
    return store;
  }
}

function isOffsetStore(value: unknown): value is OffsetStore {
  const store = value as OffsetStore | null;
  return (
    typeof store?.get === 'function' &&
    typeof store.save === 'function' &&
    typeof value === 'object'
  );
}

const describeToken = (token: unknown) =>
  typeof token === 'function' ? token.name : String(token);
