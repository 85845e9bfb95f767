import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';
import { resolve } from 'node:path';
// @ts-expect-error plain ESM helper shared with the build script
import { swcOptions } from './scripts/swc-options.mjs';

const root = import.meta.dirname;
const alias = {
  '@idp/core': resolve(root, 'libs/core/src/index.ts'),
  '@idp/flows': resolve(root, 'libs/flows/src/index.ts'),
  '@idp/user-login': resolve(root, 'libs/user-login/src/index.ts'),
};
// Vitest's own transform drops decorator metadata, which Nest's DI needs: SWC compiles instead.
const plugins = [swc.vite({ ...swcOptions(root), module: { type: 'es6' } })];

export default defineConfig({
  plugins,
  resolve: { alias },
  test: {
    projects: [
      {
        plugins,
        resolve: { alias },
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
        resolve: { alias },
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
