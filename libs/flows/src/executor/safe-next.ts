/**
 * The `next` target a flow may redirect to: a same-origin path only. Anything that could leave
 * the site (`//host`, `/\host`, `https://…`, control characters) becomes `/`.
 */
export function safeNextPath(next: unknown): string {
  if (typeof next !== 'string' || next.length === 0 || next.length > 2048) return '/';
  if (!next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(next)) return '/';
  try {
    const url = new URL(next, 'http://same.origin');
    if (url.origin !== 'http://same.origin') return '/';
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return '/';
  }
}
