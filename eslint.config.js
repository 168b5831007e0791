import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.stryker-tmp*/**', 'reports/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['schematics/**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Scripts run by plain `node` in child processes (packaging and fault tests).
    files: ['test/**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // Dependencies point one way (docs/architecture.md): a feature never imports module/, the
    // layer that wires the features together. Specs and their helpers may: they test the wiring.
    files: ['libs/flux/src/*/**/*.ts'],
    ignores: [
      'libs/flux/src/module/**',
      'libs/flux/src/testing/**',
      'libs/flux/src/**/*.spec.ts',
      'libs/flux/src/**/*.spec-helpers.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/module/*'],
              message:
                'A feature must not import module/ (docs/architecture.md): move the type or constant beside the feature, or inject a provider.',
            },
          ],
        },
      ],
    },
  },
  {
    // The errors are the bottom of the shared kernel: they import nothing but each other.
    files: ['libs/flux/src/errors/**/*.ts'],
    ignores: ['libs/flux/src/errors/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../*'],
              message:
                'errors/ is the bottom layer (docs/architecture.md): it imports only errors/.',
            },
          ],
        },
      ],
    },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      // Decorators and metadata work on constructors of any shape, as in Nest itself.
      '@typescript-eslint/no-unsafe-function-type': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
);
