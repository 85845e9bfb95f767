import { startEmbeddedPostgres } from '@idp/core';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** A database of the benchmark's own, dropped (or stopped) afterwards. */
export interface BenchDatabase {
  url: string;
  /** What the database is, for the report. */
  describe: string;
  stop(): Promise<void>;
}

/**
 * A fresh database on `DATABASE_URL`'s server (created here, dropped at the end), or an embedded
 * PostgreSQL in a temporary directory when `DATABASE_URL` is unset.
 */
export async function openBenchDatabase(): Promise<BenchDatabase> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    const dataDir = mkdtempSync(join(tmpdir(), 'idp-bench-pg-'));
    const server = await startEmbeddedPostgres({ dataDir, port: 40000 + Math.floor(Math.random() * 10000) });
    return {
      url: server.url,
      describe: 'embedded PostgreSQL (temporary directory)',
      async stop() {
        await server.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const name = `idp_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const version = (await admin.query('SHOW server_version')).rows[0].server_version as string;
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    describe: `PostgreSQL ${version} from DATABASE_URL (database ${name}, dropped afterwards)`,
    async stop() {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
