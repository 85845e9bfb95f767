import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * Stryker runs in a sandbox copy of the repository whose node_modules is a link to the original
 * one, so the workspace links there (node_modules/@idp/*) lead to the original, unmutated
 * libs/*\/src. These aliases send `@idp/*` imports to the sandbox's own (mutated) sources.
 */
const root = import.meta.dirname;
const alias = {
  '@idp/core': resolve(root, 'libs/core/src/index.ts'),
  '@idp/flows': resolve(root, 'libs/flows/src/index.ts'),
  '@idp/user-login': resolve(root, 'libs/user-login/src/index.ts'),
};

/**
 * What `npm run test:mutation` (StrykerJS) runs: the unit project as it is, and only the e2e
 * suites that exercise the mutated files (libs/user-login/src, libs/core/src/http). Suites that
 * test other modules (enrollment, flow walking, the GeoIP start-up checks) are left out so that a
 * mutation run fits in about 20 minutes on a 2-core machine.
 */
export const MUTATION_E2E_SUITES = [
  'test/api-answers.e2e-spec.ts',
  'test/authentication-flow.e2e-spec.ts',
  'test/binding-options.e2e-spec.ts',
  'test/browser-session.e2e-spec.ts',
  'test/client-ip.e2e-spec.ts',
  'test/cookie-secure.e2e-spec.ts',
  'test/dbsc.e2e-spec.ts',
  'test/host-cookies.e2e-spec.ts',
  'test/logout.e2e-spec.ts',
  'test/my-sessions-api.e2e-spec.ts',
  'test/remember-device.e2e-spec.ts',
  'test/remember-me.e2e-spec.ts',
  'test/session-binding.e2e-spec.ts',
  'test/session-cache.e2e-spec.ts',
  'test/session-check.e2e-spec.ts',
  'test/session-limits.e2e-spec.ts',
  'test/sessions-api.e2e-spec.ts',
  'test/sessions-service.e2e-spec.ts',
  'test/terminate-sessions-service.e2e-spec.ts',
  'test/terminate-sessions.e2e-spec.ts',
];

const e2eSuites = process.env.MUTATION_E2E
  ? process.env.MUTATION_E2E.split(',').map((file) => file.trim())
  : MUTATION_E2E_SUITES;

type Project = { test: { name: string; include?: string[] } };

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    projects: (base.test!.projects as Project[])
      .filter((project) => process.env.MUTATION_UNIT_ONLY !== '1' || project.test.name === 'unit')
      .filter((project) => process.env.MUTATION_E2E_ONLY !== '1' || project.test.name === 'e2e')
      .map((project) => ({
        ...project,
        resolve: { ...(project as { resolve?: object }).resolve, alias },
        test: {
          ...project.test,
          ...(project.test.name === 'e2e' ? { include: e2eSuites } : {}),
          // Every mutant run re-imports the test files; without isolation the module graph (Nest,
          // TypeORM, the app) is loaded once per worker instead of once per file and run.
          isolate: false,
        },
      })) as never,
  },
});
