import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { securityHeaders, WebAssets } from './web-assets.js';

const root = fileURLToPath(new URL('.', import.meta.url));
const pages = readdirSync(`${root}pages`).map((name) => name.replace(/\.html$/, ''));

describe('WebAssets', () => {
  const sut = new WebAssets();

  it('serves pages as HTML and scripts and styles with their types', () => {
    expect(sut.page('flow').contentType).toBe('text/html; charset=utf-8');
    expect(sut.asset('flow.js')?.contentType).toBe('text/javascript; charset=utf-8');
    expect(sut.asset('app.css')?.contentType).toBe('text/css; charset=utf-8');
  });

  it.each(['../web.controller.ts', '..%2Fweb-assets.ts', 'pages/flow.html', '', 'missing.js'])(
    'serves nothing for %j',
    (name) => {
      expect(sut.asset(name)).toBeUndefined();
    },
  );

  it('throws with the file name when a page is missing from the build', () => {
    expect(() => sut.page('nope')).toThrow('pages/nope.html');
  });

  // The CSP forbids inline code: a page with any would silently break in the browser.
  it.each(pages)('page %s has no inline script, handler or style and links only files that exist', (name) => {
    const html = readFileSync(`${root}pages/${name}.html`, 'utf8');
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toMatch(/<style|\sstyle=/i);
    for (const [, file] of html.matchAll(/(?:src|href)="\/if\/static\/([^"]+)"/g))
      expect(sut.asset(file), file).toBeDefined();
  });

  it('pins pages and assets to this origin and never caches pages', () => {
    const page = securityHeaders('page');
    expect(page['Content-Security-Policy']).toContain("default-src 'self'");
    expect(page['Content-Security-Policy']).not.toContain('unsafe-inline');
    expect(page['Cache-Control']).toBe('no-store');
    expect(securityHeaders('asset')['Cache-Control']).toBe('no-cache');
  });
});
