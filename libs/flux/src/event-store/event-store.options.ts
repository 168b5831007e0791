/** Which event store `FluxModule` opens, and how (`eventStore: { … }`). */
export type EventStoreOptions =
  | { type: 'memory' }
  | {
      type: 'mysql';
      url: string;
      /** Create/alter the tables at start-up (development, tests). Use the migration in production. */
      synchronize?: boolean;
      /** Prefix of the table names; default `'flux_'`. */
      tablePrefix?: string;
      /** Connections of the store's own pool (appends, reads); default 10. */
      poolSize?: number;
    }
  | {
      type: 'postgres';
      url: string;
      /** Create the schema and tables at start-up (development, tests). Use the migration in production. */
      synchronize?: boolean;
      /** Prefix of the table names; default `'flux_'`. */
      tablePrefix?: string;
      /** PostgreSQL schema of the tables; default: the connection's search path (`public`). */
      schema?: string;
    };
