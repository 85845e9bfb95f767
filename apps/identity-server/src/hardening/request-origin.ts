import type { TrustedProxies } from './trusted-proxies.js';

/** What the browser-request rules need to know about a raw request, from either adapter. */
export interface RawRequest {
  method?: string;
  url?: string;
  originalUrl?: string;
  headers: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string; encrypted?: boolean };
}

function lastValue(header: string | string[] | undefined): string | undefined {
  const text = Array.isArray(header) ? header.join(',') : header;
  return text?.split(',').at(-1)?.trim() || undefined;
}

/**
 * Whether the client spoke HTTPS: on a TLS socket, or through a trusted proxy whose
 * `X-Forwarded-Proto` (its last entry, the one that proxy added) says `https`.
 */
export function isHttps(request: RawRequest, trusted: TrustedProxies): boolean {
  if (request.socket?.encrypted) return true;
  return trusted(request.socket?.remoteAddress) && lastValue(request.headers['x-forwarded-proto']) === 'https';
}

/**
 * The origin the client addressed (`https://id.example.com`): the scheme as {@link isHttps}
 * decides, and the `Host` header, or a trusted proxy's `X-Forwarded-Host`. Null when unusable.
 */
export function ownOrigin(request: RawRequest, trusted: TrustedProxies): string | null {
  const forwardedHost = trusted(request.socket?.remoteAddress)
    ? lastValue(request.headers['x-forwarded-host'])
    : undefined;
  const host = forwardedHost ?? lastValue(request.headers.host);
  if (!host) return null;
  try {
    return new URL(`${isHttps(request, trusted) ? 'https' : 'http'}://${host}`).origin;
  } catch {
    return null;
  }
}

/** Whether the `Origin` header names an origin other than the server's own (`null` counts as other). */
export function isCrossOrigin(origin: string, own: string | null): boolean {
  if (own === null) return true;
  try {
    return new URL(origin).origin !== own;
  } catch {
    return true;
  }
}
