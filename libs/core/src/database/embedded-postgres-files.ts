// Where the embedded PostgreSQL's binaries and data can live when this process is root.
// PostgreSQL refuses to run as root, so it runs as the `postgres` account, which must be able
// to enter every folder above its binaries and its data. A checkout in a folder only root can
// enter (`mktemp -d`, `/root`) fails that; such files are then kept under a root-owned shared
// folder instead (by default /var/tmp/idp-embedded-postgres).
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { chmod, cp, lstat, mkdir, readdir, realpath, rename, rm, stat } from 'node:fs/promises';
import { arch, platform } from 'node:os';
import { dirname, join, parse } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The embedded PostgreSQL cannot start; the message says why and what to do. */
export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

/** Ends every EmbeddedPostgresError message: the ways out that always work. */
export const EMBEDDED_POSTGRES_FIX =
  'Set DATABASE_URL to a PostgreSQL server (postgres://user:password@host:5432/database), or run as a non-root user.';

/** The operating-system account PostgreSQL runs as when this process is root. */
export interface OsAccount {
  name: string;
  uid: number;
  /** Its primary group: the server runs with this group only (Node drops supplementary groups when it switches user). */
  gid: number;
}

/** The folder holding PostgreSQL's `bin/`, `lib/` and `share/` from the `@embedded-postgres/<platform>-<arch>` package. */
export async function bundledPostgresDir(): Promise<string> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  let binaries: { postgres: string };
  try {
    binaries = (await import(name)) as { postgres: string };
  } catch {
    throw new EmbeddedPostgresError(
      `The embedded PostgreSQL has no binaries for this machine: the package ${name} is not installed. ${EMBEDDED_POSTGRES_FIX}`,
    );
  }
  return dirname(dirname(binaries.postgres));
}

/**
 * The `postgres` account, created (as a system account without a home) when missing, as the
 * embedded server did before.
 * @throws EmbeddedPostgresError when the account neither exists nor can be created.
 */
export async function postgresAccount(name = 'postgres'): Promise<OsAccount> {
  try {
    return await lookUpAccount(name);
  } catch {
    try {
      await run('groupadd', ['--force', '--system', name]);
      await run('useradd', ['--system', '--gid', name, '--no-create-home', '--shell', '/usr/sbin/nologin', name]);
      return await lookUpAccount(name);
    } catch (error) {
      throw new EmbeddedPostgresError(
        `PostgreSQL refuses to run as root, and there is no '${name}' account to run it as ` +
          `(creating one failed: ${firstLine(error)}). ${EMBEDDED_POSTGRES_FIX}`,
      );
    }
  }
}

async function lookUpAccount(name: string): Promise<OsAccount> {
  const id = async (flag: string) => (await run('id', [flag, name])).stdout.trim();
  const [uid, gid] = await Promise.all([id('-u'), id('-g')]);
  return { name, uid: Number(uid), gid: Number(gid) };
}

/** Whether `account` may enter (search) a folder with these owner ids and mode bits; ACLs are not read. */
export function canEnter(folder: Pick<Stats, 'uid' | 'gid' | 'mode'>, account: OsAccount): boolean {
  if (folder.uid === account.uid) return (folder.mode & 0o100) !== 0;
  if (folder.gid === account.gid) return (folder.mode & 0o010) !== 0;
  return (folder.mode & 0o001) !== 0;
}

/**
 * The first existing folder above `path` (from `/` down) that `account` cannot enter, if any;
 * the folders a symbolic link on the way leads through are checked too.
 */
export async function blockedFolderAbove(path: string, account: OsAccount): Promise<string | undefined> {
  const blocked = await blockedOnPath(path, account);
  if (blocked) return blocked;
  const real = await realpath(dirname(path)).catch(() => undefined);
  return real && real !== dirname(path) ? blockedOnPath(join(real, 'x'), account) : undefined;
}

async function blockedOnPath(path: string, account: OsAccount): Promise<string | undefined> {
  const folders: string[] = [];
  for (let folder = dirname(path); ; folder = dirname(folder)) {
    folders.unshift(folder);
    if (folder === parse(folder).root) break;
  }
  for (const folder of folders) {
    let stats: Stats;
    try {
      stats = await stat(folder);
    } catch {
      return undefined; // not created yet: whoever creates it decides its mode
    }
    if (!canEnter(stats, account)) return folder;
  }
  return undefined;
}

/**
 * Creates (or checks) a folder that only root may change and everybody may enter. Binaries are
 * run from below it as another user, so a folder someone else could write to is refused.
 * @throws EmbeddedPostgresError when the folder exists but is not root's alone.
 */
export async function ensureRootOnlyFolder(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true, mode: 0o755 });
  const stats = await lstat(folder);
  if (!stats.isDirectory() || stats.uid !== 0 || (stats.mode & 0o022) !== 0) {
    throw new EmbeddedPostgresError(
      `${folder} is not a folder that only root can change, so the embedded PostgreSQL will not use it. ` +
        `Remove it and try again. ${EMBEDDED_POSTGRES_FIX}`,
    );
  }
  await chmod(folder, 0o755);
}

/**
 * A copy of the binaries in `source` under `sharedDir`, named by the hash of the `postgres`
 * binary so each build is copied once. Copies are made in a temporary folder and renamed into
 * place, so a half-written copy is never used.
 */
export async function shareBinaries(source: string, sharedDir: string): Promise<string> {
  await ensureRootOnlyFolder(sharedDir);
  const from = await realpath(source);
  const target = join(sharedDir, `postgres-${(await fileHash(join(from, 'bin', 'postgres'))).slice(0, 16)}`);
  if (await exists(join(target, 'bin', 'postgres'))) return target;
  const partial = `${target}.partial-${randomBytes(4).toString('hex')}`;
  try {
    await cp(from, partial, { recursive: true, verbatimSymlinks: true });
    await openUp(partial);
    await rename(partial, target);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    // Another process finished the same copy first.
    if (await exists(join(target, 'bin', 'postgres'))) return target;
    throw error;
  }
  return target;
}

/** Where the data of `dataDir` is kept instead, when the `postgres` account cannot reach `dataDir`. */
export async function sharedDataDir(dataDir: string, sharedDir: string): Promise<string> {
  await ensureRootOnlyFolder(sharedDir);
  await ensureRootOnlyFolder(join(sharedDir, 'data'));
  return join(sharedDir, 'data', createHash('sha256').update(dataDir).digest('hex').slice(0, 16));
}

// Whatever root's umask was, the copy must be readable (and its programs runnable) by others.
async function openUp(folder: string): Promise<void> {
  await chmod(folder, 0o755);
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) await openUp(path);
    else if (entry.isFile()) await chmod(path, ((await stat(path)).mode & 0o111) !== 0 ? 0o755 : 0o644);
  }
}

async function fileHash(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function firstLine(error: unknown): string {
  const text = (error as { stderr?: string })?.stderr?.trim() || (error as Error)?.message || String(error);
  return text.split('\n')[0];
}
