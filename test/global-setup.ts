import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../libs/core/src/database/embedded-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

/**
 * One real PostgreSQL for the whole e2e run: `DATABASE_URL` when set (CI points it at the
 * machine's server), else an embedded server in a throw-away directory, deleted when the run
 * ends. Each suite then works in a schema of its own, so suites run in parallel without seeing
 * each other's rows.
 */
export default async function setup(project: TestProject) {
  const external = process.env.DATABASE_URL?.trim();
  if (external) {
    project.provide('databaseUrl', external);
    return;
  }
  const server = await startEmbeddedPostgres({
    dataDir: await mkdtemp(join(tmpdir(), 'idp-e2e-pg-')),
    port: 20000 + Math.floor(Math.random() * 20000),
    database: 'idp_test',
    persistent: false,
  });
  project.provide('databaseUrl', server.url);
  return () => server.stop();
}
