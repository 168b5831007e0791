import type { EventStoreOptions } from './event-store.options.js';
import type { EventStore } from './event-store.js';
import { MemoryEventStore } from './memory/memory-event-store.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';

/**
 * Builds the configured store; a database driver is loaded only when it is used.
 * @internal
 */
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
    case 'postgres': {
      const { PostgresEventStore } = await import('./postgres/postgres-event-store.js');
      return PostgresEventStore.create(options);
    }
    default:
      throw new InvalidArgumentError(
        'eventStore.type',
        `Unknown eventStore.type "${(options as { type: string }).type}": use 'memory', 'mysql' or 'postgres'`,
      );
  }
}
