import { startEmbeddedPostgres } from '@idp/core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

/**
 * One real PostgreSQL for the whole e2e run: `DATABASE_URL` when set (CI points it at the
 * machine's server), else an embedded server in a throw-away directory. Each suite then works
 * in a schema of its own, so suites run in parallel without seeing each other's rows.
 */
export default async function setup(project: TestProject) {
  const external = process.env.DATABASE_URL?.trim();
  if (external) {
    project.provide('databaseUrl', external);
    return;
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'idp-e2e-pg-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const server = await startEmbeddedPostgres({ dataDir, port, database: 'idp_test' });
  project.provide('databaseUrl', server.url);
  return async () => {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
