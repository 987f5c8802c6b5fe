// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/**', 'coverage/**', 'node_modules/**', 'src/__generated__/**', 'bench/.out/**'],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
      ],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    // The simulator is an upstream, not a library: only the entry point (demo
    // mode wiring) imports it; the bench and tests live outside src/.
    files: ['src/**/*.ts'],
    ignores: ['src/index.ts', 'src/simulator/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/simulator', '**/simulator/**'],
              message: 'Only src/index.ts (demo mode) imports src/simulator/.',
            },
          ],
        },
      ],
    },
  },
  {
    // Dependencies point one way: server → resolvers → datasources → upstream.
    files: ['src/upstream/**/*.ts', 'src/datasources/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/resolvers/**', '**/server/**'],
              message: 'upstream/ and datasources/ must not depend on resolvers/ or server/.',
            },
            {
              // Repeated from the block above: a later block replaces a rule's options.
              group: ['**/simulator', '**/simulator/**'],
              message: 'Only src/index.ts (demo mode) imports src/simulator/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/simulator/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Only src/config/loadConfig.ts reads process.env.',
        },
      ],
    },
  },
  {
    files: ['src/config/loadConfig.ts', 'src/index.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
