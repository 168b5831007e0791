import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./libs/flux/src/${path}`, import.meta.url));

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
    include: [
      'libs/**/*.spec.ts',
      'apps/**/*.spec.ts',
      'test/**/*.spec.ts',
      'schematics/**/*.spec.ts',
    ],
    exclude: ['**/node_modules/**', 'dist/**', 'test/faults/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
