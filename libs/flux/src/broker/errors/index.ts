export * from './message-decode.error.js';
export * from './consumer-closed.error.js';
export * from './flush.error.js';
export * from './replication-timeout.error.js';
