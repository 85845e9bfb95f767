import 'reflect-metadata';
import { loadConfig, type AppConfig } from '../../apps/identity-server/src/config/app-config.js';
import { createApp, type HttpAdapterName } from '../../apps/identity-server/src/create-app.js';
import type { Clock } from '@idp/core';
import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DestinationStream } from 'pino';
import { inject } from 'vitest';

/** A clock tests can move; it starts at the real time. */
export class TestClock implements Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface TestServer {
  app: INestApplication;
  /** What supertest takes: the Node HTTP server. */
  http: any;
  /** A connection to the suite's own schema, for asserting database effects. */
  db: pg.Client;
  clock: TestClock;
  config: AppConfig;
  /** The suite's schema, for a second instance of the server on the same data. */
  schema: string;
  close(): Promise<void>;
}

export const ADMIN_PASSWORD = 'correct-horse-battery';
export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/**
 * Boots the identity server (Fastify unless told otherwise) against the real PostgreSQL, in a
 * fresh schema that the migrations fill and that is dropped afterwards.
 */
export async function startTestServer(
  options: {
    env?: Record<string, string>;
    adapter?: HttpAdapterName;
    /** Where the app reaches PostgreSQL (e.g. a TcpCutProxy's url); the test's own client always goes direct. */
    appDatabaseUrl?: string;
    /** A second instance on the first one's schema (the first one drops it). */
    sameDatabaseAs?: TestServer;
    /** Settings that have no environment variable. */
    configure?: (config: AppConfig) => void;
    /** Where the server's log lines go (set LOG_LEVEL in env to see request lines). */
    logDestination?: DestinationStream;
  } = {},
): Promise<TestServer> {
  const url = inject('databaseUrl');
  const owner = options.sameDatabaseAs === undefined;
  const schema = options.sameDatabaseAs?.schema ?? `e2e_${randomBytes(6).toString('hex')}`;
  if (owner) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
  }

  const config = loadConfig({
    // Quiet request logs and no metrics listener unless a suite asks for them.
    LOG_LEVEL: 'error',
    METRICS_PORT: 'off',
    BOOTSTRAP_PASSWORD: ADMIN_PASSWORD,
    BOOTSTRAP_TOKEN: ADMIN_TOKEN,
    BOOTSTRAP_EMAIL: 'admin@example.test',
    // Suites assert the database right after a request: write session activity at once.
    SESSION_ACTIVITY_FLUSH: 'seconds=0',
    ...options.env,
  });
  options.configure?.(config);
  const clock = new TestClock();
  const app = await createApp(
    config,
    { url: options.appDatabaseUrl ?? url, schema },
    { adapter: options.adapter, logger: ['error'], clock, logDestination: options.logDestination },
  );
  await app.init();
  if (options.adapter !== 'express') await (app.getHttpAdapter().getInstance() as { ready(): Promise<void> }).ready();

  const db = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await db.connect();
  return {
    app,
    http: app.getHttpServer(),
    db,
    clock,
    config,
    schema,
    async close() {
      await app.close();
      if (owner) await db.query(`DROP SCHEMA ${schema} CASCADE`);
      await db.end();
    },
  };
}
