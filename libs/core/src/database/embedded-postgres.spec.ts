import { createServer, type Server } from 'node:net';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { blockedFolderAbove, bundledPostgresDir, canEnter, EmbeddedPostgresError } from './embedded-postgres-files.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';

const isRoot = process.getuid?.() === 0;
const other = { name: 'someone-else', uid: 64_001, gid: 64_001 };
const folders: string[] = [];

async function folder(mode: number): Promise<string> {
  const path = await mkdtemp(join(tmpdir(), 'idp-embedded-pg-spec-'));
  await chmod(path, mode);
  folders.push(path);
  return path;
}

afterEach(async () => {
  await Promise.all(folders.splice(0).map((path) => rm(path, { recursive: true, force: true })));
});

describe('canEnter', () => {
  it.each([
    ['owner with x', { uid: 64_001, gid: 0, mode: 0o700 }, true],
    ['owner without x (others have it)', { uid: 64_001, gid: 0, mode: 0o611 }, false],
    ['group with x', { uid: 0, gid: 64_001, mode: 0o750 }, true],
    ['group without x (others have it)', { uid: 0, gid: 64_001, mode: 0o701 }, false],
    ['others with x', { uid: 0, gid: 0, mode: 0o711 }, true],
    ['a root-only folder (mktemp -d, /root)', { uid: 0, gid: 0, mode: 0o700 }, false],
  ])('%s', (_, stats, expected) => {
    expect(canEnter(stats, other)).toBe(expected);
  });
});

describe('blockedFolderAbove', () => {
  it('names the first folder another account cannot enter, and nothing once it is opened', async () => {
    const closed = await folder(0o700);
    await mkdir(join(closed, 'inner'), { mode: 0o755 });
    const target = join(closed, 'inner', 'bin', 'postgres');
    await expect(blockedFolderAbove(target, other)).resolves.toBe(closed);
    await chmod(closed, 0o755);
    await expect(blockedFolderAbove(target, other)).resolves.toBeUndefined();
  });

  it('follows a symbolic link into a folder another account cannot enter', async () => {
    const closed = await folder(0o700);
    await mkdir(join(closed, 'binaries', 'bin'), { recursive: true });
    const open = await folder(0o755);
    await symlink(join(closed, 'binaries'), join(open, 'link'));
    await expect(blockedFolderAbove(join(open, 'link', 'bin', 'postgres'), other)).resolves.toBe(closed);
  });
});

describe('startEmbeddedPostgres', () => {
  // What a new user does as root: clone into `mktemp -d` (mode 0700) and run without DATABASE_URL.
  // PostgreSQL then runs as the postgres account, which cannot enter the checkout.
  it('starts from a checkout in a folder that other users cannot enter', async () => {
    const checkout = await folder(0o700);
    await symlink(await bundledPostgresDir(), join(checkout, 'postgres-binaries'));
    const sharedDir = await folder(0o755);
    const asked = join(checkout, '.data', 'postgres');
    const server = await startEmbeddedPostgres({
      binariesDir: join(checkout, 'postgres-binaries'),
      dataDir: asked,
      sharedDir,
      port: 20_000 + Math.floor(Math.random() * 20_000),
      database: 'spec_db',
      persistent: false,
    });
    try {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      const { rows } = await client.query<{ db: string; user: string }>(
        'SELECT current_database() AS db, current_user AS user',
      );
      await client.end();
      expect(rows).toEqual([{ db: 'spec_db', user: 'postgres' }]);
      if (isRoot) {
        // The binaries and the data moved to where the postgres account can reach them.
        expect(server.dataDir!.startsWith(join(sharedDir, 'data'))).toBe(true);
        expect((await readdir(sharedDir)).filter((name) => name.startsWith('postgres-'))).toHaveLength(1);
      } else {
        expect(server.dataDir).toBe(asked);
      }
    } finally {
      await server.stop();
    }
    expect(existsSync(server.dataDir!)).toBe(false);
  });

  it('refuses with one message that says why and what to do when the port is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const failure = await startEmbeddedPostgres({
        dataDir: join(await folder(0o755), 'data'),
        sharedDir: await folder(0o755),
        port,
        persistent: false,
      }).then(
        () => undefined,
        (error: unknown) => error as Error,
      );
      expect(failure).toBeInstanceOf(EmbeddedPostgresError);
      expect(failure!.message).toMatch(/stopped while starting/);
      expect(failure!.message).toMatch(/Address already in use/);
      expect(failure!.message).toContain('Set DATABASE_URL');
    } finally {
      blocker.close();
    }
  });
});
