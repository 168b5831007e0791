import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { EventRegistry } from '../event-sourcing/event-registry.js';
import { StreamRegistry } from '../broker/registry/stream-registry.js';
import { deadLetterStreamOf } from './dead-letter.js';
import { ClaimedKeys } from '../discovery/claimed-keys.js';
import {
  assertSingleton,
  type DecoratedProvider,
  decoratedProviders,
  instanceOf,
} from '../discovery/decorated-providers.js';
import type { StreamConsumerMetadata } from './stream-consumer.decorator.js';
import { StreamConsumerMetadataAccessor } from './stream-consumer.accessor.js';
import type { StreamConsumerDefinition } from './stream-consumer.definition.js';
import { resolveConsumerHandlers } from './stream-consumer.handlers.js';
import { resolveStreamConsumerOptions } from './stream-consumer.options.js';
import { StreamWorkers } from './stream-workers.orchestrator.js';

/**
 * Finds `@StreamConsumer` providers and validates them in `onModuleInit`, so a misconfigured
 * consumer fails the bootstrap with a message naming it; `StreamWorkers` starts them later.
 * @internal
 */
@Injectable()
export class StreamConsumerExplorer implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly accessor: StreamConsumerMetadataAccessor,
    private readonly streams: StreamRegistry,
    private readonly registry: EventRegistry,
    private readonly workers: StreamWorkers,
  ) {}

  onModuleInit(): void {
    const groups = new ClaimedKeys();
    const consumers = decoratedProviders(this.discovery, (cls) => this.accessor.getMetadata(cls));
    for (const provider of consumers) {
      const definition = this.define(provider);
      groups.claim(
        `${definition.stream}\u0000${definition.options.group}`,
        provider.cls.name,
        (other) =>
          new InvalidArgumentError(
            `@StreamConsumer ${provider.cls.name}`,
            `${other} already consumes stream "${definition.stream}" as group ` +
              `"${definition.options.group}"; give one of them another group (or provide the class once)`,
          ),
      );
      this.workers.add(definition);
    }
  }

  private define(provider: DecoratedProvider<StreamConsumerMetadata>): StreamConsumerDefinition {
    const { cls, metadata } = provider;
    assertSingleton(provider, '@StreamConsumer', 'Stream consumers');
    const { stream, options } = metadata;
    const registered = this.streams.get(stream); // throws StreamNotRegisteredError naming it
    const resolved = resolveStreamConsumerOptions(cls.name, options, registered.partitions);
    const instance = instanceOf(provider);
    const handlers = resolveConsumerHandlers(cls, instance, this.scanner, this.registry);
    // Dead letters go to the same pool, so moving a message there needs no other connection.
    this.streams.register({ name: deadLetterStreamOf(stream), pool: registered.pool });
    return { className: cls.name, instance, stream, options: resolved, handlers };
  }
}
