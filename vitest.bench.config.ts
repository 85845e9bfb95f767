import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';
// @ts-expect-error plain ESM helper shared with the build script
import { swcOptions } from './scripts/swc-options.mjs';

// `npm run bench`: Vitest's bench mode runs each group side by side and prints the ratios.
export default defineConfig({
  plugins: [swc.vite({ ...swcOptions(), module: { type: 'es6' } })],
  // The workspace packages' sources, as in vitest.config.ts.
  ssr: { resolve: { conditions: ['@idp/source', 'module', 'node', 'development|production'] } },
  test: { include: [], benchmark: { include: ['bench/micro/**/*.bench.ts'] }, globalSetup: [] },
});
