// One lint configuration for every workspace: typescript-eslint's type-checked rules, with the
// promise rules that catch forgotten awaits, and explicit return types on exported functions.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'data/**', '.tmp/**', 'eslint.config.mjs', 'scripts/**', '**/bin/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/ban-ts-comment': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      // Interface methods return promises; an async body without await is how they are written here.
      '@typescript-eslint/require-await': 'off',
      complexity: ['warn', 25],
      'max-params': ['warn', 5],
    },
  },
  {
    files: ['**/test/**', 'test/**', 'bench/**'],
    rules: {
      '@typescript-eslint/explicit-module-boundary-types': 'off',
      // node:test's describe/test return promises that the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'test', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],
    },
  },
);
