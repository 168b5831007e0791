import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The specs one mutation run needs (see stryker.config.mjs, which sets FLUX_MUTATION_SPECS):
 * same compilation and aliases as the main suite, only the specs of the folder being mutated.
 */
const specs = (process.env.FLUX_MUTATION_SPECS ?? '').split(',').filter(Boolean);
if (specs.length === 0)
  throw new Error('FLUX_MUTATION_SPECS is empty: run through npm run test:mutation');

export default defineConfig({
  plugins: base.plugins,
  resolve: base.resolve,
  test: {
    include: specs,
    exclude: ['**/node_modules/**', 'dist/**', 'test/faults/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
