// @ts-check
/* global process */
/**
 * Mutation testing (`npm run test:mutation`, not part of CI: it takes minutes per folder).
 *
 * Scope: the code where a bug loses or reorders events. One folder per run (FLUX_MUTATE=<name>),
 * each against only the specs that exercise it, so a run fits in a coffee break on a shared
 * 2-core machine. The specs talk to the real Redis and MariaDB, like the rest of the suite.
 * Scores and the surviving mutants, with why each is equivalent, are in docs/testing.md.
 */
const FOLDERS = {
  broker: {
    mutate: [
      'libs/flux/src/broker/event-broker.ts',
      'libs/flux/src/broker/publish/event-flusher.ts',
      'libs/flux/src/broker/consume/broker-consumer.ts',
      'libs/flux/src/broker/consume/consumer-reader.ts',
      'libs/flux/src/broker/consume/group-commands.ts',
      'libs/flux/src/broker/lua/*.ts',
    ],
    specs: ['libs/flux/src/broker/**/*.spec.ts'],
  },
  workers: {
    mutate: [
      'libs/flux/src/workers/batch-dispatcher.ts',
      'libs/flux/src/workers/dead-letter.ts',
      'libs/flux/src/workers/key-lanes.ts',
      'libs/flux/src/workers/stream-worker.ts',
    ],
    // The tracing spec is the one that runs the dispatcher with tracing on.
    specs: [
      'libs/flux/src/workers/*.spec.ts',
      'libs/flux/src/observability/tracing/flux-tracing.int.spec.ts',
    ],
  },
  'memory-store': {
    mutate: ['libs/flux/src/event-store/memory/*.ts', '!**/*.spec.ts'],
    specs: ['libs/flux/src/event-store/memory/*.spec.ts'],
  },
  // The write path and the global log; schema, migrations and connection setup are left out.
  // Of the store class only append/readStream/readAll and the query helpers (line ranges).
  'postgres-store': {
    mutate: [
      'libs/flux/src/event-store/postgres/postgres-appender.ts',
      'libs/flux/src/event-store/postgres/postgres-writer.ts',
      'libs/flux/src/event-store/postgres/postgres-batch-statement.ts',
      'libs/flux/src/event-store/postgres/postgres-statements.ts',
      'libs/flux/src/event-store/postgres/postgres-row-mapping.ts',
      'libs/flux/src/event-store/postgres/postgres-event-store.ts:119-147',
      'libs/flux/src/event-store/postgres/postgres-event-store.ts:206-229',
    ],
    specs: ['libs/flux/src/event-store/postgres/*.spec.ts'],
  },
  'mysql-store': {
    mutate: [
      'libs/flux/src/event-store/mysql/mysql-appender.ts',
      'libs/flux/src/event-store/mysql/mysql-positioned-reader.ts',
      'libs/flux/src/event-store/mysql/mysql-sequencer.ts',
      'libs/flux/src/event-store/mysql/mysql-group-commit.ts',
      'libs/flux/src/event-store/mysql/mysql-group-failure.ts',
      // readAll: the page bound that decides whether a caught-up read looks for unpositioned rows.
      'libs/flux/src/event-store/mysql/mysql-event-store.ts:130-143',
    ],
    specs: ['libs/flux/src/event-store/mysql/*.spec.ts'],
  },
  'offset-stores': {
    mutate: ['libs/flux/src/feed/offset-store/*.ts', '!**/*.spec.ts'],
    specs: ['libs/flux/src/feed/offset-store/*.spec.ts'],
  },
  relay: {
    mutate: ['libs/flux/src/relay/*.ts', '!**/*.spec.ts', '!**/index.ts'],
    specs: ['libs/flux/src/relay/*.spec.ts'],
  },
};

const name = process.env.FLUX_MUTATE ?? 'broker';
const folder = FOLDERS[name];
if (!folder) {
  throw new Error(`FLUX_MUTATE=${name} is not one of: ${Object.keys(FOLDERS).join(', ')}`);
}
// FLUX_MUTATE_ONLY=<glob>[,<glob>] narrows a folder's run to some of its files (a big file alone).
const only = process.env.FLUX_MUTATE_ONLY?.split(',').filter(Boolean);
// Read by vitest.mutation.config.ts inside Stryker's test runner processes.
process.env.FLUX_MUTATION_SPECS = folder.specs.join(',');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  mutate: only ?? folder.mutate,
  // Each test records which mutants it reaches: a mutant runs only the tests that cover it.
  coverageAnalysis: 'perTest',
  // Real servers, shared machine: two sandboxes at most, and slow tests are not infinite loops.
  concurrency: 2,
  timeoutMS: 10_000,
  timeoutFactor: 3,
  ignorePatterns: ['dist', 'coverage', 'reports', 'bench/results', 'docs/images'],
  ignoreStatic: true,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
