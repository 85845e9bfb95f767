// Allocation-free IP parsing and network formatting for the GeoIP lookup path and the MMDB writer.
// The parser is as strict as node:net's isIP (no leading zeros in IPv4 octets, at most one `::`),
// so anything it accepts is also read correctly by the maxmind package's own, more lenient parser.

const COLON = 58;
const DOT = 46;
const PERCENT = 37;

/** Parses an IPv4 or IPv6 address into `out` (4 or 16 bytes used) and returns 4, 6 or 0 when invalid. */
export function parseIp(text: string, out: Uint8Array): 0 | 4 | 6 {
  if (typeof text !== 'string' || text.length === 0 || text.length > 64) return 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === COLON) return parseIpv6(text, out) ? 6 : 0;
  }
  return parseIpv4(text, 0, text.length, out, 0) ? 4 : 0;
}

function parseIpv4(text: string, start: number, end: number, out: Uint8Array, at: number): boolean {
  let octet = 0;
  let digits = 0;
  let parts = 0;
  for (let i = start; i <= end; i++) {
    const c = i === end ? DOT : text.charCodeAt(i);
    if (c === DOT) {
      if (digits === 0 || parts === 4) return false;
      out[at + parts++] = octet;
      octet = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      // A leading zero would be read as octal by some parsers: refuse the ambiguity.
      if (digits === 1 && octet === 0) return false;
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return false;
    } else {
      return false;
    }
  }
  return parts === 4;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function parseIpv6(text: string, out: Uint8Array): boolean {
  let end = text.length;
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === PERCENT) {
      if (i === end - 1) return false; // an empty zone id
      end = i; // the zone id names a local interface; it does not change the address
      break;
    }
  }
  let group = 0; // 16-bit groups written so far
  let gap = -1; // the group index where `::` stands
  let i = 0;
  if (text.charCodeAt(0) === COLON) {
    if (text.charCodeAt(1) !== COLON) return false;
    gap = 0;
    i = 2;
    if (i === end) return fillGap(out, group, gap);
  }
  while (i < end) {
    if (group === 8) return false;
    let value = 0;
    let digits = 0;
    let j = i;
    for (; j < end; j++) {
      const h = hexValue(text.charCodeAt(j));
      if (h < 0) break;
      value = (value << 4) | h;
      if (++digits > 4) return false;
    }
    if (j < end && text.charCodeAt(j) === DOT) {
      // An embedded IPv4 tail takes the last two groups.
      if (group > 6 || !parseIpv4(text, i, end, out, group * 2)) return false;
      group += 2;
      i = end;
      break;
    }
    if (digits === 0) return false;
    out[group * 2] = value >> 8;
    out[group * 2 + 1] = value & 0xff;
    group++;
    if (j === end) {
      i = j;
      break;
    }
    if (text.charCodeAt(j) !== COLON) return false;
    if (text.charCodeAt(j + 1) === COLON) {
      if (gap >= 0) return false;
      gap = group;
      i = j + 2;
      if (i === end) break;
    } else {
      i = j + 1;
      if (i === end) return false; // a trailing single colon
    }
  }
  if (gap < 0) return group === 8;
  return group < 8 && fillGap(out, group, gap);
}

function fillGap(out: Uint8Array, group: number, gap: number): boolean {
  const missing = 8 - group;
  // Shift the groups after `::` to the end, then zero the gap.
  for (let g = group - 1; g >= gap; g--) {
    out[(g + missing) * 2] = out[g * 2];
    out[(g + missing) * 2 + 1] = out[g * 2 + 1];
  }
  for (let g = gap; g < gap + missing; g++) {
    out[g * 2] = 0;
    out[g * 2 + 1] = 0;
  }
  return true;
}

/** Tells whether 16 parsed bytes are an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`). */
export function isIpv4Mapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

/** Formats the four bytes at `at` as a dotted IPv4 address. */
export function formatIpv4(bytes: Uint8Array, at = 0): string {
  return `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}`;
}

/** Formats the network of `prefix` bits around a parsed address as a CIDR (`5.4.0.0/14`, `2001:db8::/32`). */
export function formatNetwork(bytes: Uint8Array, version: 4 | 6, prefix: number): string {
  if (version === 4) {
    const address = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
    const masked = prefix <= 0 ? 0 : (address & (0xffffffff << (32 - prefix))) >>> 0;
    return `${masked >>> 24}.${(masked >>> 16) & 0xff}.${(masked >>> 8) & 0xff}.${masked & 0xff}/${prefix}`;
  }
  return `${formatIpv6Masked(bytes, prefix)}/${prefix}`;
}

function maskedGroup(bytes: Uint8Array, g: number, prefix: number): number {
  const value = (bytes[g * 2] << 8) | bytes[g * 2 + 1];
  const keep = prefix - g * 16;
  if (keep >= 16) return value;
  if (keep <= 0) return 0;
  return value & (0xffff << (16 - keep)) & 0xffff;
}

// RFC 5952 form: lower-case hex, the longest run (of two or more) of zero groups as `::`.
function formatIpv6Masked(bytes: Uint8Array, prefix: number): string {
  let bestStart = -1;
  let bestLength = 1;
  let runStart = -1;
  for (let g = 0; g <= 8; g++) {
    if (g < 8 && maskedGroup(bytes, g, prefix) === 0) {
      if (runStart < 0) runStart = g;
    } else if (runStart >= 0) {
      if (g - runStart > bestLength) {
        bestStart = runStart;
        bestLength = g - runStart;
      }
      runStart = -1;
    }
  }
  let text = '';
  for (let g = 0; g < 8; g++) {
    if (g === bestStart) {
      text += g === 0 ? '::' : ':';
      g += bestLength - 1;
      continue;
    }
    text += maskedGroup(bytes, g, prefix).toString(16);
    if (g < 7) text += ':';
  }
  return text;
}

/** A parsed CIDR: 16 address bytes (IPv4 at bytes 0-3) with its version and prefix length. */
export interface ParsedCidr {
  bytes: Uint8Array;
  version: 4 | 6;
  prefix: number;
}

/**
 * Parses `a.b.c.d/n` or `x:y::/n` (a bare address means a single host) and refuses host bits.
 * @throws TypeError naming the bad CIDR and what is wrong with it.
 */
export function parseCidr(cidr: string): ParsedCidr {
  if (typeof cidr !== 'string') throw new TypeError(`network must be a string like "10.8.0.0/16", got ${typeof cidr}`);
  const slash = cidr.indexOf('/');
  const address = slash < 0 ? cidr : cidr.slice(0, slash);
  const bytes = new Uint8Array(16);
  const version = parseIp(address, bytes);
  if (version === 0 || address.includes('%')) {
    throw new TypeError(
      `"${cidr}" is not a network: expected an IPv4 or IPv6 CIDR like "10.8.0.0/16" or "2001:db8::/32"`,
    );
  }
  const bits = version === 4 ? 32 : 128;
  const prefixText = slash < 0 ? String(bits) : cidr.slice(slash + 1);
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= bits)) {
    throw new TypeError(`"${cidr}" has an invalid prefix length: expected 0-${bits}`);
  }
  for (let bit = prefix; bit < bits; bit++) {
    if ((bytes[bit >> 3] >> (7 - (bit & 7))) & 1) {
      throw new TypeError(`"${cidr}" has host bits set: did you mean "${formatNetwork(bytes, version, prefix)}"?`);
    }
  }
  return { bytes, version, prefix };
}
