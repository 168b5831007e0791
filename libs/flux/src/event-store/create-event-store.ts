import type { EventStoreOptions } from '../module/flux-module-options.interface.js';
import type { EventStore } from './event-store.js';
import { MemoryEventStore } from './memory/memory-event-store.js';

/** Builds the configured store; the MySQL driver is loaded only when it is used. */
export async function createEventStore(
  options: EventStoreOptions = { type: 'memory' },
): Promise<EventStore> {
  switch (options.type) {
    case 'memory':
      return new MemoryEventStore();
    case 'mysql': {
      const { MysqlEventStore } = await import('./mysql/mysql-event-store.js');
      return MysqlEventStore.create(options);
    }
    default:
      throw new TypeError(
        `Unknown eventStore.type "${(options as { type: string }).type}": use 'memory' or 'mysql'`,
      );
  }
}
