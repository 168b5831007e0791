export * from './event-relay.js';
export * from './relay-lock.js';
export * from './relay-tags.js';
export * from './relay.options.js';
export * from './relay.service.js';
export * from './relay-keys.js';
export * from './relay-checkpoint.js';
