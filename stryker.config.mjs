// StrykerJS: `npm run test:mutation`. Not part of `npm test` (it takes about 20 minutes here).
// The score table of the latest run is in docs/testing.md; the HTML report is not committed.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: true },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: [
    'libs/user-login/src/**/*.ts',
    'libs/core/src/http/**/*.ts',
    '!**/*.spec.ts',
    // Declarations and wiring only: no behaviour a mutant could change.
    '!**/index.ts',
    '!libs/user-login/src/persistence/migrations/**',
    '!libs/user-login/src/persistence/*.entity.ts',
    '!libs/user-login/src/user-login-options.interface.ts',
    '!libs/user-login/src/user-login.module-definition.ts',
    '!libs/core/src/http/http-types.ts',
  ],
  // Static mutants (module-level constants) would need a fresh import per mutant: skipped.
  ignoreStatic: true,
  coverageAnalysis: 'perTest',
  // 2 cores shared with other work: two test runners.
  concurrency: 2,
  timeoutMS: 30000,
  timeoutFactor: 2,
  dryRunTimeoutMinutes: 30,
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'html', 'json', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  // Anchored with a leading slash: these are .gitignore patterns, and a bare `docs` also dropped
  // apps/identity-server/src/api/docs/ from the sandbox, so every e2e suite failed to import and
  // Stryker went on with the unit tests alone (a suite that fails to load reports no test, not a failure).
  ignorePatterns: ['/dist', '/.data', '/reports', '/bench', '/docs', '/test/browser', '/coverage', '/.e2e-build'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  thresholds: { high: 90, low: 80, break: null },
};
