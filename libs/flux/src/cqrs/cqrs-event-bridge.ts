import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { EventBus } from '@nestjs/cqrs';
import { SavedEventsBus } from '../event-sourcing/saved-events-bus.js';

/**
 * Publishes every saved batch of domain events on @nestjs/cqrs's `EventBus` when the application
 * imports `CqrsModule`, so existing `@EventsHandler` classes and sagas see them. Events are
 * published after the append committed, as the same instances the aggregate applied.
 * The bus is in-process and not durable: use `@StreamConsumer` or the feed for anything that
 * must not be lost.
 */
@Injectable()
export class CqrsEventBridge implements OnModuleInit {
  private readonly logger = new Logger('FluxCqrs');

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly saved: SavedEventsBus,
  ) {}

  onModuleInit(): void {
    let eventBus: EventBus;
    try {
      eventBus = this.moduleRef.get(EventBus, { strict: false });
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
