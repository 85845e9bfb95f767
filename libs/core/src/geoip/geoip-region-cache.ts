import type { GeoIpRegion } from './geoip.service.js';
import { formatNetwork, isIpv4Mapped, parseIp } from './ip-address.js';

const TWO_TO_32 = 2 ** 32;

/**
 * Answers of a MaxMind database kept per network of its tree instead of per address: every
 * address of a network the file stores (or of an empty subtree, for a miss) gets the same answer,
 * so one entry serves all of them, and a client that moves within its network costs a map probe
 * per prefix length seen, not a tree walk and a new entry per address. Exact by construction: a
 * cached region is one the file itself reported for an address inside it, and the regions of one
 * file are disjoint, so at most one cached region holds an address.
 *
 * Valid for the file(s) the answers came from: call {@link clear} when one is reloaded.
 */
export class GeoIpRegionCache<R> {
  // IPv4 (and IPv4-mapped IPv6) regions keyed by prefix * 2^32 + network, IPv6 ones by CIDR text.
  private readonly v4 = new Map<number, R | null>();
  private readonly v6 = new Map<string, R | null>();
  // The prefix lengths cached regions have, probed in this order (a hit moves its length forward).
  private v4Prefixes: number[] = [];
  private v6Prefixes: number[] = [];
  private readonly bytes = new Uint8Array(16);

  constructor(private readonly maxEntries = 20_000) {}

  /** The answer for `ip`: from a cached region that holds it, else from `lookUp` (then cached by its region). */
  get(ip: string, lookUp: (ip: string) => GeoIpRegion<R> | null): R | null {
    const bytes = this.bytes;
    let version = parseIp(ip, bytes);
    if (version === 0) return lookUp(ip)?.value ?? null;
    if (version === 6 && isIpv4Mapped(bytes)) {
      bytes.copyWithin(0, 12, 16);
      version = 4;
    }
    if (version === 4) {
      const address = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
      const prefixes = this.v4Prefixes;
      for (let i = 0; i < prefixes.length; i++) {
        const key = v4Key(address, prefixes[i]);
        const hit = this.v4.get(key);
        if (hit !== undefined) return this.found(prefixes, i, hit);
      }
      const region = lookUp(ip);
      if (region === null) return null;
      this.keep(4, v4Key(address, region.prefix), region);
      return region.value;
    }
    const prefixes = this.v6Prefixes;
    for (let i = 0; i < prefixes.length; i++) {
      const key = formatNetwork(bytes, 6, prefixes[i]);
      const hit = this.v6.get(key);
      if (hit !== undefined) return this.found(prefixes, i, hit);
    }
    const region = lookUp(ip);
    if (region === null) return null;
    // lookUp parsed the address again into its own buffer; ours still holds this one.
    this.keep(6, formatNetwork(bytes, 6, region.prefix), region);
    return region.value;
  }

  /** How many regions are cached. */
  get size(): number {
    return this.v4.size + this.v6.size;
  }

  /** Forgets everything (a database file was reloaded). */
  clear(): void {
    this.v4.clear();
    this.v6.clear();
    this.v4Prefixes = [];
    this.v6Prefixes = [];
  }

  private found(prefixes: number[], at: number, value: R | null): R | null {
    // The lengths that answer often drift to the front, so a usual address is found at the first probes.
    if (at > 0) [prefixes[at - 1], prefixes[at]] = [prefixes[at], prefixes[at - 1]];
    return value;
  }

  private keep(version: 4 | 6, key: number | string, region: GeoIpRegion<R>): void {
    // A full table is emptied (cheaper than tracking age; a region in use is back after one lookup).
    if (this.size >= this.maxEntries) this.clear();
    // Stored values are never undefined (a miss is null), so `get` tells a hit by `!== undefined`.
    if (version === 4) this.v4.set(key as number, region.value);
    else this.v6.set(key as string, region.value);
    const prefixes = version === 4 ? this.v4Prefixes : this.v6Prefixes;
    if (!prefixes.includes(region.prefix)) prefixes.push(region.prefix);
  }
}

function v4Key(address: number, prefix: number): number {
  const network = prefix <= 0 ? 0 : (address & (0xffffffff << (32 - prefix))) >>> 0;
  return prefix * TWO_TO_32 + network;
}
