import { parse, serialize, type SerializeOptions } from 'cookie';
import type { HttpRequestLike, HttpResponseLike } from './http-types.js';

/** Reads one cookie from the `Cookie` header; malformed headers read as "no cookie". */
export function readCookie(request: HttpRequestLike, name: string): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string' || header.length === 0) return undefined;
  try {
    const value = parse(header)[name];
    return value === undefined || value === '' ? undefined : value;
  } catch {
    return undefined;
  }
}

/** Signature of the adapter's `setHeader`, so this file needs no adapter import. */
export type SetHeader = (response: unknown, name: string, value: string | string[]) => void;

/**
 * Adds a `Set-Cookie` line without dropping ones already set on this response. Express
 * overwrites on set while Fastify appends, so read, remove, then set the whole list.
 */
export function appendSetCookie(
  setHeader: SetHeader,
  response: HttpResponseLike,
  name: string,
  value: string,
  options: SerializeOptions,
): void {
  const existing = response.getHeader('set-cookie');
  const lines = existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)];
  const kept = lines.filter((line) => !line.startsWith(`${name}=`));
  response.removeHeader('set-cookie');
  setHeader(response, 'set-cookie', [...kept, serialize(name, value, options)]);
}

/**
 * The name a cookie goes by for this request: `__Host-<name>` when it is `Secure` (the browser
 * then insists on `Secure`, `Path=/` and no `Domain`, so a sibling subdomain or a plain-http
 * page cannot plant or overwrite it), the plain name otherwise. Reading accepts only the name in
 * force, so a plain-named cookie planted over http is never taken for the secure one.
 * @example cookieNameInForce('idp_session', true) // '__Host-idp_session'
 */
export function cookieNameInForce(name: string, secure: boolean): string {
  return secure ? `__Host-${name}` : name;
}

/** Whether cookies set for this request should carry `Secure`. */
export function cookieSecure(mode: 'auto' | 'true' | 'false', request: HttpRequestLike): boolean {
  if (mode === 'auto') return request.protocol === 'https';
  return mode === 'true';
}
