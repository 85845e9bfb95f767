import ipaddr from 'ipaddr.js';
import type { HttpRequestLike } from './http-types.js';

/**
 * The default `TRUSTED_PROXY_CIDRS`: loopback and the private ranges, whose
 * `X-Forwarded-For` is believed.
 */
export const DEFAULT_TRUSTED_PROXY_CIDRS = [
  '127.0.0.0/8',
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  'fe80::/10',
  '::1/128',
];

/**
 * Parses a comma-separated CIDR list (bare addresses count as /32 or /128).
 * @throws Error naming the first entry that is not a CIDR.
 */
export function parseCidrList(value: string, variable = 'TRUSTED_PROXY_CIDRS'): string[] {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const ok = entry.includes('/') ? ipaddr.isValidCIDR(entry) : ipaddr.isValid(entry);
    if (!ok) throw new Error(`${variable}: "${entry}" is not an IP address or CIDR (e.g. 10.0.0.0/8, ::1/128)`);
  }
  return entries;
}

// An IPv4 address already in canonical form (decimal, no leading zeros): what nearly every
// request carries, and what ipaddr.js would hand back unchanged, at a fraction of its cost (its
// validity check parses by trying, and throwing, several formats: microseconds per request).
const CANONICAL_IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Canonical text of an IP: IPv4-mapped IPv6 becomes IPv4; anything unparsable is null. */
export function normalizeIp(value: string | undefined | null): string | null {
  if (!value) return null;
  if (CANONICAL_IPV4.test(value)) return value;
  const text = value.trim();
  if (!ipaddr.isValid(text)) return null;
  const parsed = ipaddr.parse(text);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (parsed as ipaddr.IPv6).toIPv4Address().toString();
  }
  return parsed.toString();
}

/**
 * The client's IP as the adapter computed it from its trust-proxy setting (Fastify `trustProxy`,
 * Express `trust proxy`, both given the CIDR list). A trusted proxy that forwards garbage gets
 * its own address used instead, so the answer is always a real IP.
 */
export function clientIp(request: HttpRequestLike): string {
  return normalizeIp(request.ip) ?? normalizeIp(request.socket?.remoteAddress) ?? '0.0.0.0';
}
