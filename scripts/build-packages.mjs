// Builds the workspace packages libs/{core,flows,user-login} into their own dist/: JavaScript with
// SWC (the same options as the app and the tests, so decorator metadata is kept) and, unless
// `--js-only`, declarations (.d.ts) with `tsc --emitDeclarationOnly` per package.
//
//   node scripts/build-packages.mjs                 # all three, JS + .d.ts (what `npm pack` ships)
//   node scripts/build-packages.mjs user-login      # one package (its `prepack` script)
//   node scripts/build-packages.mjs --js-only       # JS only (`npm run build` / `npm start`)
//
// Packages are built in dependency order (core first): flows and user-login import `@idp/core`
// by name, and their declaration build reads core's dist/index.d.ts through the workspace link.
//
// Each file is written to a temporary name and renamed into place: suites that run the built
// server build in parallel, and a process reading libs/*/dist must never see a half-written file.
import { transformFile } from '@swc/core';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { swcOptions } from './swc-options.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Dependency order: each package only imports the ones before it. */
export const PACKAGES = ['core', 'flows', 'user-login'];

async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

async function* walkIfExists(dir) {
  if (existsSync(dir)) yield* walk(dir);
}

async function writeAtomically(path, data) {
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}

/** Compiles libs/<name>/src (without specs) to libs/<name>/dist with SWC; returns the file count. */
export async function buildPackageJs(name) {
  const pkg = join(root, 'libs', name);
  const src = join(pkg, 'src');
  const out = join(pkg, 'dist');
  const written = new Set();
  for await (const file of walk(src)) {
    if (!file.endsWith('.ts') || file.endsWith('.spec.ts')) continue;
    const target = join(out, relative(src, file)).replace(/\.ts$/, '.js');
    await mkdir(dirname(target), { recursive: true });
    const { code, map } = await transformFile(file, {
      ...swcOptions(),
      filename: file,
      sourceFileName: relative(dirname(target), file),
      swcrc: false,
    });
    await writeAtomically(target, `${code}\n//# sourceMappingURL=${target.split('/').pop()}.map\n`);
    await writeAtomically(`${target}.map`, map);
    written.add(target).add(`${target}.map`);
  }
  // JavaScript of deleted sources goes too (declarations are tsc's, see buildPackageTypes).
  for await (const file of walkIfExists(out)) {
    if (/\.js(\.map)?$/.test(file) && !written.has(file)) await rm(file, { force: true });
  }
  return written.size / 2;
}

/** Writes libs/<name>/dist/**\/*.d.ts (and declaration maps) with tsc. */
export async function buildPackageTypes(name) {
  const pkg = join(root, 'libs', name);
  const out = join(pkg, 'dist');
  for await (const file of walkIfExists(out)) {
    if (/\.d\.ts(\.map)?$/.test(file)) await rm(file, { force: true });
  }
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', join(pkg, 'tsconfig.build.json')], { cwd: pkg });
  } catch (error) {
    throw new Error(`tsc (declarations of @idp/${name}) failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`, {
      cause: error,
    });
  }
}

export async function buildPackages(names = PACKAGES, { jsOnly = false } = {}) {
  for (const name of PACKAGES.filter((p) => names.includes(p))) {
    const count = await buildPackageJs(name);
    if (!jsOnly) await buildPackageTypes(name);
    console.log(`built @idp/${name}: ${count} files into libs/${name}/dist/${jsOnly ? '' : ' (with .d.ts)'}`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const names = args.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !PACKAGES.includes(n));
  if (unknown.length) {
    console.error(`unknown package(s): ${unknown.join(', ')} (known: ${PACKAGES.join(', ')})`);
    process.exit(2);
  }
  await buildPackages(names.length ? names : PACKAGES, { jsOnly: args.includes('--js-only') });
}
