// One SWC configuration for the build and for Vitest, so the code under test is compiled the
// way it runs: legacy decorators with metadata (Nest's DI reads constructor param types).
import { resolve } from 'node:path';

export const LIB_PATHS = {
  '@idp/core': ['./libs/core/src/index.ts'],
  '@idp/flows': ['./libs/flows/src/index.ts'],
  '@idp/user-login': ['./libs/user-login/src/index.ts'],
};

export function swcOptions(root = process.cwd()) {
  return {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2023',
      keepClassNames: true,
      baseUrl: resolve(root),
      paths: LIB_PATHS,
    },
    module: { type: 'es6', resolveFully: true },
    sourceMaps: true,
  };
}
