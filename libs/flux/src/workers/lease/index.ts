export type { LeaseBackend } from './lease-backend.js';
export * from './redis-lease-backend.js';
export * from './stream-lease.js';
