import type { HttpRequestLike } from '@idp/core';

// Machine-facing prefixes: their clients parse JSON, whatever their Accept header says.
const API_PREFIXES = ['/api/', '/-/'];

/**
 * Whether a request is a browser opening a page (a navigation that accepts HTML, to a path that is
 * not part of an API): such requests get the UI's HTML error pages instead of JSON.
 */
export function isBrowserPageRequest(request: HttpRequestLike): boolean {
  const method = (request.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') return false;
  const accept = request.headers.accept;
  if (typeof accept !== 'string' || !accept.toLowerCase().includes('text/html')) return false;
  const path = (request.originalUrl ?? request.url ?? '/').split('?')[0]!;
  return !API_PREFIXES.some((prefix) => path === prefix.slice(0, -1) || path.startsWith(prefix));
}
