import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
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
 * machine's server), else an embedded server in a throw-away directory, run in a child process
 * (see embedded-postgres-process.mjs for why). Each suite then works in a schema of its own, so
 * suites run in parallel without seeing each other's rows.
 */
export default async function setup(project: TestProject) {
  const external = process.env.DATABASE_URL?.trim();
  if (external) {
    project.provide('databaseUrl', external);
    return;
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'idp-e2e-pg-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, 'support/embedded-postgres-process.mjs'), dataDir, String(port), 'idp_test'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    project.provide('databaseUrl', await readyUrl(child));
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await rm(dataDir, { recursive: true, force: true });
  };
}

/** Waits for the child's "READY <url>" line; fails when it exits first. */
function readyUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /^READY (\S+)$/m.exec(output);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`embedded PostgreSQL exited with code ${code} before it was ready`)));
  });
}
