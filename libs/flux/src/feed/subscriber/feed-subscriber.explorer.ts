import { Injectable, Logger, type OnModuleInit, type Type } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, ModuleRef } from '@nestjs/core';
import { InvalidArgumentError } from '../../errors/invalid-argument.error.js';
import { type DiscoveredProvider, getProviderClass } from '../../workers/provider-class.js';
import { FeedConsumer } from '../consumer/feed-consumer.js';
import { MemoryOffsetStore } from '../offset-store/memory-offset-store.js';
import type { OffsetStore } from '../offset-store/offset-store.js';
import { FeedSubscriberMetadataAccessor } from './feed-subscriber.accessor.js';
import type { FeedSubscriberOptions } from './feed-subscriber.decorator.js';
import { resolveSubscriberHandlers } from './feed-subscriber.handlers.js';
import { FeedSubscribers } from './feed-subscribers.js';

/**
 * Finds `@FeedSubscriber` providers and validates them in `onModuleInit`, so a misconfigured
 * subscriber fails the bootstrap with a message naming it; `FeedSubscribers` starts them later.
 */
@Injectable()
export class FeedSubscriberExplorer implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly accessor: FeedSubscriberMetadataAccessor,
    private readonly moduleRef: ModuleRef,
    private readonly subscribers: FeedSubscribers,
  ) {}

  onModuleInit(): void {
    const names = new Map<string, string>();
    for (const wrapper of this.discovery.getProviders()) {
      const cls = getProviderClass(wrapper) as Type | undefined;
      const metadata = this.accessor.getMetadata(cls);
      if (!cls || !metadata) continue;
      const name = metadata.options.name ?? cls.name;
      const other = names.get(name);
      if (other !== undefined) {
        throw new InvalidArgumentError(
          `@FeedSubscriber ${cls.name}`,
          `${other} already uses the name "${name}", which keys the offset; give each subscriber its own name`,
        );
      }
      names.set(name, cls.name);
      this.define(wrapper, cls, name, metadata.url, metadata.options);
    }
  }

  private define(
    wrapper: DiscoveredProvider,
    cls: Type,
    name: string,
    url: string | (() => string),
    options: FeedSubscriberOptions,
  ): void {
    const invalid = (reason: string) =>
      new InvalidArgumentError(`@FeedSubscriber ${cls.name}`, reason);
    if (!wrapper.isDependencyTreeStatic() || wrapper.isTransient) {
      throw invalid(
        'it is request-scoped or transient (or depends on such a provider). Feed subscribers run ' +
          'outside any request: make it a default-scoped (singleton) provider.',
      );
    }
    const instance = wrapper.instance as Record<string | symbol, unknown>;
    const { events, handler } = resolveSubscriberHandlers(cls, instance, this.scanner);
    const consumer = new FeedConsumer({
      ...options,
      url: typeof url === 'function' ? url() : url,
      name,
      interval: options.interval ?? 5_000,
      events,
      offsetStore: this.offsetStore(cls, options.offsetStore ?? 'memory', invalid),
      logger: new Logger(`FeedSubscriber:${cls.name}`),
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
