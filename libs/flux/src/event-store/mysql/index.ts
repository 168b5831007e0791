export * from './mysql-event-store.js';
export * from './mysql-event-store.options.js';
export * from './mysql-schema.js';
export * from './migrations/1764000000000-create-flux-tables.js';
export * from './mysql-store-identity.js';
export * from './migrations/1796096000000-create-flux-meta.js';
