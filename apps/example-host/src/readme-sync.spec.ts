import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url);

/** The `// readme:start name` … `// readme:end` blocks of one file. */
function blocks(file: string): Array<[string, string]> {
  const text = readFileSync(new URL(file, root), 'utf8');
  return [...text.matchAll(/\/\/ readme:start (\S+)\n([\s\S]*?)\/\/ readme:end/g)].map((m) => [m[1], m[2]]);
}

describe('README "Using the module" is taken from apps/example-host', () => {
  const readme = readFileSync(new URL('README.md', root), 'utf8');
  const files = ['apps/example-host/src/app.module.ts', 'apps/example-host/src/host.controller.ts'];

  it.each(files)('README shows %s as it is', (file) => {
    const found = blocks(file);
    expect(found.length).toBeGreaterThan(0);
    for (const [name, code] of found)
      expect(readme, `${file} (${name})`).toContain(`\`\`\`ts\n// ${name}\n${code}\`\`\``);
  });
});
