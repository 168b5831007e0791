import { Injectable, type OnModuleInit, type Type } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { EventRegistry } from '../event-sourcing/event-registry.js';
import { StreamRegistry } from '../broker/stream-registry.js';
import { deadLetterStreamOf } from './dead-letter.js';
import { getProviderClass, type DiscoveredProvider } from './provider-class.js';
import { StreamConsumerMetadataAccessor } from './stream-consumer.accessor.js';
import type { StreamConsumerDefinition } from './stream-consumer.definition.js';
import { resolveConsumerHandlers } from './stream-consumer.handlers.js';
import { resolveStreamConsumerOptions } from './stream-consumer.options.js';
import { StreamWorkers } from './stream-workers.js';

/**
 * Finds `@StreamConsumer` providers and validates them in `onModuleInit`, so a misconfigured
 * consumer fails the bootstrap with a message naming it; `StreamWorkers` starts them later.
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
    const groups = new Map<string, string>();
    for (const wrapper of this.discovery.getProviders()) {
      const cls = getProviderClass(wrapper);
      if (!cls || !this.accessor.isStreamConsumer(cls)) continue;
      const definition = this.define(wrapper, cls);
      const key = `${definition.stream}\u0000${definition.options.group}`;
      const other = groups.get(key);
      if (other !== undefined) {
        throw new InvalidArgumentError(
          `@StreamConsumer ${cls.name}`,
          `${other} already consumes stream "${definition.stream}" as group ` +
            `"${definition.options.group}"; give one of them another group (or provide the class once)`,
        );
      }
      groups.set(key, cls.name);
      this.workers.add(definition);
    }
  }

  private define(wrapper: DiscoveredProvider, cls: Type): StreamConsumerDefinition {
    if (!wrapper.isDependencyTreeStatic() || wrapper.isTransient) {
      throw new InvalidArgumentError(
        `@StreamConsumer ${cls.name}`,
        'it is request-scoped or transient (or depends on such a provider). Stream consumers ' +
          'run outside any request: make it a default-scoped (singleton) provider.',
      );
    }
    const { stream, options } = this.accessor.getMetadata(cls)!;
    const registered = this.streams.get(stream); // throws StreamNotRegisteredError naming it
    const resolved = resolveStreamConsumerOptions(cls.name, options);
    const instance = wrapper.instance as Record<string | symbol, unknown>;
    const handlers = resolveConsumerHandlers(cls, instance, this.scanner, this.registry);
    // Dead letters go to the same pool, so moving a message there needs no other connection.
    this.streams.register({ name: deadLetterStreamOf(stream), pool: registered.pool });
    return { className: cls.name, instance, stream, options: resolved, handlers };
  }
}
