import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One file of the web UI, read once at start-up. */
export interface WebAsset {
  body: string;
  contentType: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

// The pages carry no inline script or style, so everything can be pinned to this origin.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers every web UI response carries. */
export function securityHeaders(kind: 'page' | 'asset'): Record<string, string> {
  return {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'same-origin',
    // Pages depend on who is signed in; assets may be reused but must be revalidated after upgrades.
    'Cache-Control': kind === 'page' ? 'no-store' : 'no-cache',
  };
}

/**
 * The web UI's files: `pages/*.html` and `static/*`. Resolved beside this module, so the same
 * code finds them under `apps/` (tests run the sources) and under `dist/` (the build copies them).
 */
export class WebAssets {
  private readonly files = new Map<string, WebAsset>();

  constructor(root: string = fileURLToPath(new URL('.', import.meta.url))) {
    for (const folder of ['pages', 'static']) {
      for (const name of readdirSync(join(root, folder))) {
        const contentType = CONTENT_TYPES[extname(name)];
        if (contentType)
          this.files.set(`${folder}/${name}`, { body: readFileSync(join(root, folder, name), 'utf8'), contentType });
      }
    }
  }

  /** A page by name (`flow` -> `pages/flow.html`). @throws Error when the build lost the file */
  page(name: string): WebAsset {
    const page = this.files.get(`pages/${name}.html`);
    if (!page) throw new Error(`Web UI page pages/${name}.html is missing`);
    return page;
  }

  /** A static file by its bare name, or undefined; only files found at start-up are served, so paths cannot escape. */
  asset(name: string): WebAsset | undefined {
    return this.files.get(`static/${name}`);
  }
}
