import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';
// @ts-expect-error plain ESM helper shared with the build script
import { swcOptions } from './scripts/swc-options.mjs';

// `@idp/*` are npm workspace packages; their "@idp/source" export condition points at src/, so
// the tests run the TypeScript sources (no build needed) through the same package names the app
// and outside hosts import.
// (Setting conditions replaces Vite's defaults, so these repeat them: module, node, development|production.)
const conditions = ['@idp/source', 'module', 'node', 'development|production'];
const resolve = { conditions };
const ssr = { resolve: { conditions } };
// Vitest's own transform drops decorator metadata, which Nest's DI needs: SWC compiles instead.
const plugins = [swc.vite({ ...swcOptions(), module: { type: 'es6' } })];

export default defineConfig({
  plugins,
  resolve,
  ssr,
  test: {
    projects: [
      {
        plugins,
        resolve,
        ssr,
        test: {
          name: 'unit',
          include: ['libs/**/*.spec.ts', 'apps/**/*.spec.ts', 'scripts/**/*.spec.ts'],
          environment: 'node',
          // A deadline, not a speed goal: a busy 2-core CI machine can slow the heavier tables.
          testTimeout: 20_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        plugins,
        resolve,
        ssr,
        test: {
          name: 'e2e',
          include: ['test/**/*.e2e-spec.ts'],
          environment: 'node',
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: true,
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
