import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./libs/flux/src/${path}`, import.meta.url));

/**
 * The fault-injection and bad-input suite (`npm run test:faults`): real servers, killed and cut
 * on purpose. Files run one after another (they start and kill processes and load the machine);
 * waits are bounded inside the tests, the timeouts here are only a last resort.
 */
export default defineConfig({
  // SWC instead of esbuild: Nest's DI needs emitDecoratorMetadata, which esbuild does not emit.
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: {
    alias: [
      { find: /^nestjs-flux\/testing$/, replacement: src('testing/index.ts') },
      { find: /^nestjs-flux$/, replacement: src('index.ts') },
    ],
  },
  test: {
    include: ['test/faults/**/*.fault.spec.ts'],
    exclude: ['**/node_modules/**', 'dist/**'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
