import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ModuleRef, ModulesContainer } from '@nestjs/core';
import type { EventBus } from '@nestjs/cqrs';
import { MissingPeerDependencyError } from '../errors/missing-peer-dependency.error.js';
import { SavedEventsBus } from '../event-sourcing/saved-events-bus.js';
import { loadOptionalPeer } from '../peers/load-optional-peer.js';

/**
 * Publishes every saved batch of domain events on @nestjs/cqrs's `EventBus` when the application
 * imports `CqrsModule`, so existing `@EventsHandler` classes and sagas see them. Events are
 * published after the append committed, as the same instances the aggregate applied.
 * The bus is in-process and not durable: use `@StreamConsumer` or the feed for anything that
 * must not be lost. `@nestjs/cqrs` is an optional peer: loaded at module init, and an app
 * without it (which cannot import `CqrsModule` anyway) simply has nothing to bridge.
 * @internal
 */
@Injectable()
export class CqrsEventBridge implements OnModuleInit {
  private readonly logger = new Logger('FluxCqrs');

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly saved: SavedEventsBus,
    private readonly modules: ModulesContainer,
  ) {}

  async onModuleInit(): Promise<void> {
    // Looked up by name so that an app without CqrsModule never loads @nestjs/cqrs.
    const imported = [...this.modules.values()].some((m) => m.metatype?.name === 'CqrsModule');
    if (!imported) return; // CqrsModule is not imported: nothing to bridge.
    const cqrs = await loadOptionalPeer({
      name: '@nestjs/cqrs',
      feature: 'The CQRS event bridge',
      load: () => import('@nestjs/cqrs'),
    }).catch((error: unknown) => {
      if (error instanceof MissingPeerDependencyError) return null;
      throw error;
    });
    if (!cqrs) return;
    let eventBus: EventBus;
    try {
      eventBus = this.moduleRef.get(cqrs.EventBus, { strict: false });
    } catch {
      return; // CqrsModule is not imported: nothing to bridge.
    }
    this.saved.subscribe((events) => {
      try {
        eventBus.publishAll(events);
      } catch (error) {
        // The save has committed; a handler's failure must not turn it into an error.
        this.logger.error(`EventBus handler failed: ${(error as Error).message}`);
      }
    });
  }
}
