export { PostgresEventStore } from './postgres-event-store.js';
export {
  parsePostgresUrl,
  type PostgresConnectionSettings,
  type PostgresEventStoreOptions,
} from './postgres-event-store.options.js';
export {
  createPostgresTablesSql,
  dropPostgresTablesSql,
  ensurePostgresTables,
  postgresTableNames,
  type PostgresLocation,
  type PostgresTableNames,
} from './postgres-schema.js';
export * from './migrations/1764000000000-create-postgres-flux-tables.js';
