import { describeEventStoreContract } from '../event-store.contract.js';
import { MemoryEventStore } from './memory-event-store.js';

const subject = async () => {
  const store = new MemoryEventStore();
  return { store, teardown: () => store.close(), another: subject };
};

describeEventStoreContract('MemoryEventStore', subject);
