import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

/**
 * The three workspace packages as `npm pack` makes them, checked the way a user meets them:
 * what the tarballs hold, publint, arethetypeswrong, the committed API reports (api-extractor),
 * and a Nest app in a folder outside this repository that installs the tarballs from disk,
 * compiles with tsc (strict, ESM, `nodenext`), runs the migrations and signs a user in.
 */
const ROOT = resolve(import.meta.dirname, '..');
const PACKAGES = ['core', 'flows', 'user-login'] as const;
type PackageName = (typeof PACKAGES)[number];
const BIN = join(ROOT, 'node_modules', '.bin');

interface Ran {
  code: number;
  output: string;
}

/** Runs a command; resolves with its exit code and its stdout + stderr (never rejects on a non-zero exit). */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Ran> {
  return new Promise((done) => {
    execFile(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024, timeout: 240_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      done({ code, output: `${stdout}${stderr}` });
    });
  });
}

async function runOk(command: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<string> {
  const result = await run(command, args, cwd, env);
  if (result.code !== 0)
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${result.code}:\n${result.output}`);
  return result.output;
}

interface Tarball {
  path: string;
  files: string[];
}

// Each check runs tools that start TypeScript (tsc, API Extractor, arethetypeswrong): on a busy
// 2-core machine beside the other suites one can take over a minute, so the deadline is wide.
describe.concurrent('the workspace packages as npm ships them', { timeout: 300_000 }, () => {
  let work: string;
  const tarballs = {} as Record<PackageName, Tarball>;

  beforeAll(async () => {
    // Outside the repository: nothing here can resolve a module from the repository's node_modules.
    work = await mkdtemp(join(tmpdir(), 'idp-packages-'));
    await runOk(process.execPath, ['scripts/build-packages.mjs'], ROOT);
    for (const name of PACKAGES) {
      // --ignore-scripts: the prepack build just ran above.
      const json = await runOk(
        'npm',
        ['pack', '--ignore-scripts', '--json', '--pack-destination', work],
        join(ROOT, 'libs', name),
      );
      const [info] = JSON.parse(json.slice(json.indexOf('['))) as Array<{
        filename: string;
        files: { path: string }[];
      }>;
      tarballs[name] = { path: join(work, info.filename), files: info.files.map((file) => file.path).toSorted() };
    }
  }, 300_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it.each(PACKAGES)('@idp/%s ships its JS, declarations, sources and docs, and no specs', (name) => {
    const files = tarballs[name].files;
    for (const needed of [
      'package.json',
      'README.md',
      'CHANGELOG.md',
      'LICENSE',
      'dist/index.js',
      'dist/index.d.ts',
      'src/index.ts',
      `api-report/${name}.api.md`,
    ])
      expect(files, needed).toContain(needed);
    expect(files.filter((file) => /\.spec\.|tsconfig|api-extractor|\.tgz$/.test(file))).toEqual([]);
    expect(
      files.filter(
        (file) => !/^(dist|src)\/|^api-report\/[\w-]+\.api\.md$|^[A-Z]+\.md$|^LICENSE$|^package\.json$/.test(file),
      ),
    ).toEqual([]);
  });

  it.each(PACKAGES)('publint (strict) finds nothing to say about @idp/%s', async (name) => {
    const tarball = await readFile(tarballs[name].path);
    // The tarball itself (publint finds package/ in it), not the folder: what npm would publish.
    const { messages, pkg } = await publint({
      strict: true,
      level: 'suggestion',
      pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) },
    });
    expect(messages.map((message) => formatMessage(message, pkg) ?? message.code)).toEqual([]);
  });

  it.each(PACKAGES)('arethetypeswrong: @idp/%s types resolve for ESM consumers (node16 and bundlers)', async (name) => {
    // esm-only: CommonJS `require` of an ESM-only package is the one thing not offered.
    const result = await run(
      join(BIN, 'attw'),
      [tarballs[name].path, '--profile', 'esm-only', '--format', 'ascii'],
      ROOT,
    );
    expect(result.code, result.output).toBe(0);
  });

  it.each(PACKAGES)('the committed API report of @idp/%s is the surface the package exports', async (name) => {
    const pkgDir = join(ROOT, 'libs', name);
    // Not `--local`: a report that differs fails instead of being rewritten.
    const result = await run(join(BIN, 'api-extractor'), ['run', '-c', join(pkgDir, 'api-extractor.json')], pkgDir);
    expect(
      result.code,
      `${result.output}\nThe public API of @idp/${name} changed: review it, then run \`npm run api:report\` and commit libs/${name}/api-report/${name}.api.md`,
    ).toBe(0);
    // No `any` anywhere in the exported signatures (comments aside).
    const report = await readFile(join(pkgDir, 'api-report', `${name}.api.md`), 'utf8');
    const code = report
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('//'))
      .join('\n');
    expect(code.match(/.*\bany\b.*/g) ?? []).toEqual([]);
  });

  it('a Nest app outside the repository installs the tarballs, compiles strict nodenext ESM, migrates, and gets 200 then 401 after a revocation', async () => {
    const app = join(work, 'outside-host');
    await cp(join(ROOT, 'test', 'outside-host'), app, { recursive: true });
    // The host's own dependencies at the versions this repository is tested with (so npm finds
    // them in its cache), and the two tarballs as a registry would hand them over.
    const version = async (name: string) =>
      (JSON.parse(await readFile(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
        .version;
    const pinned = async (names: string[]) =>
      Object.fromEntries(await Promise.all(names.map(async (name) => [name, await version(name)])));
    await writeFile(
      join(app, 'package.json'),
      JSON.stringify(
        {
          name: 'outside-host',
          private: true,
          type: 'module',
          dependencies: {
            '@idp/core': `file:${tarballs.core.path}`,
            '@idp/user-login': `file:${tarballs['user-login'].path}`,
            ...(await pinned([
              '@nestjs/common',
              '@nestjs/core',
              '@nestjs/platform-express',
              '@nestjs/typeorm',
              'typeorm',
              'pg',
              'reflect-metadata',
              'rxjs',
            ])),
          },
          devDependencies: await pinned(['typescript', '@types/node']),
        },
        null,
        2,
      ),
    );
    await runOk('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], app);
    // tsc from the app's own node_modules, with the app's tsconfig (strict, nodenext, skipLibCheck off).
    const compiled = await run(
      process.execPath,
      [join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'],
      app,
    );
    expect(compiled.output).toBe('');
    expect(compiled.code).toBe(0);

    const url = inject('databaseUrl');
    const schema = `e2e_outside_${Math.random().toString(16).slice(2, 10)}`;
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      await db.query(`CREATE SCHEMA ${schema}`);
      const { PATH, HOME } = process.env;
      const result = await run(process.execPath, ['dist/main.js'], app, {
        PATH,
        HOME,
        DATABASE_URL: url,
        DATABASE_SCHEMA: schema,
      });
      expect(result.code, result.output).toBe(0);
      const lines = result.output.trim().split('\n');
      expect(lines[0]).toMatch(/^migrations: CoreSchema1764200000000, UserLoginSchema1764200002000, /);
      expect(lines).toEqual(
        expect.arrayContaining([
          'GET /me without a cookie -> 401',
          'POST /login -> 200',
          'session cookie: outside_session',
          'GET /me with the session cookie -> 200',
          'revoked: true',
          'GET /me after revocation -> 401',
          'outside host: ok',
        ]),
      );
    } finally {
      await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await db.end();
    }
  });
});
