import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';
import { resolve } from 'node:path';
// @ts-expect-error plain ESM helper shared with the build script
import { swcOptions } from './scripts/swc-options.mjs';

const root = import.meta.dirname;

// `npm run bench`: Vitest's bench mode runs each group side by side and prints the ratios.
export default defineConfig({
  plugins: [swc.vite({ ...swcOptions(root), module: { type: 'es6' } })],
  resolve: {
    alias: {
      '@idp/core': resolve(root, 'libs/core/src/index.ts'),
      '@idp/flows': resolve(root, 'libs/flows/src/index.ts'),
      '@idp/user-login': resolve(root, 'libs/user-login/src/index.ts'),
    },
  },
  test: { include: [], benchmark: { include: ['bench/micro/**/*.bench.ts'] }, globalSetup: [] },
});
