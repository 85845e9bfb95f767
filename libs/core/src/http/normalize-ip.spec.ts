import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { normalizeIp } from './client-ip.js';

// normalizeIp answers canonical IPv4 text without ipaddr.js; every other form still goes through
// it. Both paths must give what ipaddr.js alone gives.
function reference(value: string): string | null {
  const text = value.trim();
  if (!ipaddr.isValid(text)) return null;
  const parsed = ipaddr.parse(text);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (parsed as ipaddr.IPv6).toIPv4Address().toString();
  }
  return parsed.toString();
}

describe('normalizeIp', () => {
  it.each([
    ['198.51.100.7', '198.51.100.7'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    [' 198.51.100.7 ', '198.51.100.7'],
    ['::ffff:198.51.100.7', '198.51.100.7'],
    ['2001:DB8::1', '2001:db8::1'],
    ['256.1.1.1', null],
    ['1.2.3', reference('1.2.3')],
    ['01.2.3.4', reference('01.2.3.4')],
    ['0x7f.0.0.1', reference('0x7f.0.0.1')],
    ['127.1', reference('127.1')],
    ['1.2.3.4.5', null],
    ['not an ip', null],
  ])('%j -> %j, as ipaddr.js answers', (input, expected) => {
    expect(normalizeIp(input)).toBe(expected);
    expect(normalizeIp(input)).toBe(reference(input));
  });

  it('agrees with ipaddr.js on 50,000 generated IPv4 texts, odd forms included', () => {
    let state = 3;
    const next = () => (state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0);
    const octet = () => {
      const n = next() % 300;
      const form = next() % 10;
      // Mostly decimal; sometimes a leading zero, hex or octal-looking form, or out of range.
      return form === 0 ? `0${n}` : form === 1 ? `0x${n.toString(16)}` : String(n);
    };
    for (let i = 0; i < 50_000; i++) {
      const text = [octet(), octet(), octet(), octet()].slice(0, next() % 8 === 0 ? 3 : 4).join('.');
      expect(normalizeIp(text), text).toBe(reference(text));
    }
  });

  it('empty and missing values are null', () => {
    expect(normalizeIp('')).toBeNull();
    expect(normalizeIp(undefined)).toBeNull();
    expect(normalizeIp(null)).toBeNull();
  });
});
