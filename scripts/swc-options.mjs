// One SWC configuration for the build and for Vitest, so the code under test is compiled the
// way it runs: legacy decorators with metadata (Nest's DI reads constructor param types).
// Imports of @idp/* stay as they are: they are workspace packages, which Node resolves through
// node_modules to libs/*/dist and TypeScript and Vitest to libs/*/src (the "@idp/source" condition).
export function swcOptions() {
  return {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2023',
      keepClassNames: true,
    },
    module: { type: 'es6', resolveFully: true },
    sourceMaps: true,
  };
}
