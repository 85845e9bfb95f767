import ipaddr from 'ipaddr.js';

/** What the browser-request rules need to know about a raw request, from either adapter. */
export interface RawRequest {
  method?: string;
  url?: string;
  originalUrl?: string;
  headers: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string; encrypted?: boolean };
}

/** A predicate: is this socket peer one of the trusted proxies (`TRUSTED_PROXY_CIDRS`)? */
export function trustedPeer(cidrs: readonly string[]): (address: string | undefined) => boolean {
  const ranges = cidrs.map((cidr) =>
    cidr.includes('/') ? ipaddr.parseCIDR(cidr) : ([ipaddr.parse(cidr), cidr.includes(':') ? 128 : 32] as const),
  );
  const check = (address: string): boolean => {
    if (!ipaddr.isValid(address)) return false;
    let ip = ipaddr.parse(address);
    if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
    return ranges.some(([range, bits]) => range.kind() === ip.kind() && ip.match(range as never, bits));
  };
  // Every request asks about its socket peer, and the peers are few (the proxies, or the clients
  // themselves): remember the answers. ipaddr.js validates by parsing and catching throws, a few
  // microseconds per request; the table is bounded and simply emptied when full.
  const known = new Map<string, boolean>();
  return (address) => {
    if (!address) return false;
    let answer = known.get(address);
    if (answer === undefined) {
      if (known.size >= MAX_KNOWN_PEERS) known.clear();
      known.set(address, (answer = check(address)));
    }
    return answer;
  };
}

const MAX_KNOWN_PEERS = 10_000;

function lastValue(header: string | string[] | undefined): string | undefined {
  const text = Array.isArray(header) ? header.join(',') : header;
  return text?.split(',').at(-1)?.trim() || undefined;
}

/**
 * Whether the client spoke HTTPS: on a TLS socket, or through a trusted proxy whose
 * `X-Forwarded-Proto` (its last entry, the one that proxy added) says `https`.
 */
export function isHttps(request: RawRequest, trusted: (address: string | undefined) => boolean): boolean {
  if (request.socket?.encrypted) return true;
  return trusted(request.socket?.remoteAddress) && lastValue(request.headers['x-forwarded-proto']) === 'https';
}

/**
 * The origin the client addressed (`https://id.example.com`): the scheme as {@link isHttps}
 * decides, and the `Host` header, or a trusted proxy's `X-Forwarded-Host`. Null when unusable.
 */
export function ownOrigin(request: RawRequest, trusted: (address: string | undefined) => boolean): string | null {
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
