import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The fault-injection and bad-input suite (`npm run test:faults`): real servers, killed and cut
 * on purpose. Same compilation and aliases as the main suite; files run one after another (they
 * start and kill processes and load the machine); waits are bounded inside the tests, the
 * timeouts here are only a last resort.
 */
export default defineConfig({
  plugins: base.plugins,
  resolve: base.resolve,
  test: {
    include: ['test/faults/**/*.fault.spec.ts'],
    exclude: ['**/node_modules/**', 'dist/**'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
