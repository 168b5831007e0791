export * from './event-store.types.js';
export * from './event-store.js';
export * from './append-validation.js';
export * from './memory/memory-event-store.js';
export * from './mysql/index.js';
export * from './postgres/index.js';
export * from './read-validation.js';
