// Compiles the workspace packages (libs/*/src -> libs/*/dist, JavaScript only: see
// build-packages.mjs) and then apps/ to dist/ with SWC (type checking is `npm run typecheck`).
// `--bench` also compiles bench/ (the load benchmark and its baseline app; not bench/micro/,
// which Vitest runs from source).
// The apps import the libraries by package name (`@idp/core`, ...): Node finds them through the
// npm workspace links in node_modules, whose `exports` point at libs/*/dist.
import { transformFile } from '@swc/core';
import { mkdir, readdir, rm, writeFile, cp } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { buildPackages } from './build-packages.mjs';
import { swcOptions } from './swc-options.mjs';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
// BUILD_OUT_DIR (inside the repository, so node_modules resolve): tests that run the built server
// build their own copy, so parallel suites never rebuild dist/ under each other.
const out = process.env.BUILD_OUT_DIR ? resolve(root, process.env.BUILD_OUT_DIR) : join(root, 'dist');

async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

await buildPackages(undefined, { jsOnly: true });
await rm(out, { recursive: true, force: true });
let count = 0;
async function* sources() {
  yield* walk(join(root, 'apps'));
  if (process.argv.includes('--bench')) {
    for await (const file of walk(join(root, 'bench'))) {
      if (!file.startsWith(join(root, 'bench', 'micro')) && !file.includes('/results/')) yield file;
    }
  }
  yield join(root, 'data-source.ts'); // the TypeORM CLI's data source
}

{
  for await (const file of sources()) {
    const rel = relative(root, file);
    const target = join(out, rel);
    await mkdir(dirname(target), { recursive: true });
    if (file.endsWith('.spec.ts')) continue;
    if (file.endsWith('.ts')) {
      const { code, map } = await transformFile(file, {
        ...swcOptions(),
        filename: file,
        sourceFileName: relative(dirname(target), file),
        swcrc: false,
      });
      const js = target.replace(/\.ts$/, '.js');
      await writeFile(js, `${code}\n//# sourceMappingURL=${js.split('/').pop()}.map\n`);
      await writeFile(`${js}.map`, map);
      count++;
    } else {
      await cp(file, target); // static assets (web UI)
    }
  }
}
console.log(`built ${count} files into ${relative(root, out)}/`);
