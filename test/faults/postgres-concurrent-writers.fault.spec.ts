import { createPostgresStore, dropSchema, testSchema } from './support/postgres.js';
import { describeConcurrentWriters } from './support/concurrent-writers.scenario.js';

const schema = testSchema('writers');

describeConcurrentWriters({
  title: 'fault 4 (PostgreSQL)',
  label: '4pg',
  idPrefix: `${schema}_`,
  brokerName: 'pg-writers',
  open: () => createPostgresStore(schema, { poolSize: 24 }),
  drop: () => dropSchema(schema),
});
