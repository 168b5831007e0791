import { describeEventStoreContract } from '../event-store.contract.js';
import { MemoryEventStore } from './memory-event-store.js';

describeEventStoreContract('MemoryEventStore', async () => {
  const store = new MemoryEventStore();
  return { store, teardown: () => store.close() };
});
