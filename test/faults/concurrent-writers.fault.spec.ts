import { createMysqlStore, dropTables, tablePrefix } from './support/mysql.js';
import { describeConcurrentWriters } from './support/concurrent-writers.scenario.js';

const prefix = tablePrefix('writers');

describeConcurrentWriters({
  title: 'fault 4',
  label: '4',
  idPrefix: prefix,
  brokerName: 'writers',
  open: () => createMysqlStore(prefix, { poolSize: 24 }),
  drop: () => dropTables(prefix),
});
