import 'reflect-metadata';
import { startEmbeddedPostgres, type RunningPostgres } from '@idp/core';
import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../../apps/identity-server/src/config/app-config.js';
import { createApp, type HttpAdapterName } from '../../../apps/identity-server/src/create-app.js';

let database: Promise<{ url: string; stop(): Promise<void> }> | undefined;

/** DATABASE_URL, or one embedded server shared by every bench in this process. */
export function benchDatabase(): Promise<{ url: string; stop(): Promise<void> }> {
  database ??= process.env.DATABASE_URL
    ? Promise.resolve({ url: process.env.DATABASE_URL, stop: async () => undefined })
    : startEmbeddedPostgres({
        dataDir: mkdtempSync(join(tmpdir(), 'idp-bench-pg-')),
        port: 40000 + Math.floor(Math.random() * 10000),
      }).then((server: RunningPostgres) => server);
  return database;
}

export interface BenchServer {
  app: INestApplication;
  baseUrl: string;
  db: pg.Client;
  close(): Promise<void>;
}

/** The identity server on a real port, in a fresh schema, on the given adapter. */
export async function startBenchServer(
  adapter: HttpAdapterName,
  env: Record<string, string> = {},
): Promise<BenchServer> {
  const { url } = await benchDatabase();
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const db = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await db.connect();
  await db.query(`CREATE SCHEMA ${schema}`);
  const config = loadConfig({ BOOTSTRAP_PASSWORD: 'bench-password-1', METRICS_PORT: 'off', ...env });
  const app = await createApp(config, { url, schema }, { adapter, logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  return {
    app,
    db,
    baseUrl: `http://127.0.0.1:${address.port}`,
    async close() {
      await app.close();
      await db.query(`DROP SCHEMA ${schema} CASCADE`);
      await db.end();
    },
  };
}
