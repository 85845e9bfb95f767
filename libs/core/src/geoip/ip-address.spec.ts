import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { formatNetwork, isIpv4Mapped, parseCidr, parseIp } from './ip-address.js';

const CORPUS = [
  '1.2.3.4',
  '0.0.0.0',
  '255.255.255.255',
  '256.1.1.1',
  '01.2.3.4',
  '1.2.3',
  '1.2.3.4.5',
  '1..2.3',
  '1.2.3.4 ',
  ' 1.2.3.4',
  '1.2.3.-4',
  '1.2.3.4/24',
  '',
  'abc',
  '::',
  '::1',
  '1::',
  '::ffff:1.2.3.4',
  '::FFFF:1.2.3.4',
  'fe80::1%eth0',
  'fe80::1%',
  '1::2::3',
  '1:2:3:4:5:6:7:8',
  '1:2:3:4:5:6:7:8:9',
  '1:2:3:4:5:6:7::',
  '::2:3:4:5:6:7:8',
  '1:2:3:4:5:6:7:8::',
  '::1:2:3:4:5:6:7:8',
  '1:2:3:4:5:6:1.2.3.4',
  '1:2:3:4:5:6:7:1.2.3.4',
  '::1.2.3.4',
  ':1::',
  '1:',
  ':1',
  '12345::',
  '2001:DB8::ABCD',
  '2001:db8:::1',
  'g::1',
  '::ffff:1.2.3',
  '1.2.3.4::',
  '2001:db8::1.2.3.04',
];

describe('parseIp', () => {
  it.each(CORPUS)('agrees with node:net isIP on %j', (text) => {
    expect(parseIp(text, new Uint8Array(16))).toBe(isIP(text));
  });

  it('fills the bytes of IPv4, IPv6 and embedded IPv4', () => {
    const bytes = new Uint8Array(16);
    expect(parseIp('5.4.3.2', bytes)).toBe(4);
    expect([...bytes.subarray(0, 4)]).toEqual([5, 4, 3, 2]);
    expect(parseIp('2001:db8::ff:1', bytes)).toBe(6);
    expect(Buffer.from(bytes).toString('hex')).toBe('20010db80000000000000000 00ff0001'.replace(' ', ''));
    expect(parseIp('::ffff:10.1.2.3', bytes)).toBe(6);
    expect(isIpv4Mapped(bytes)).toBe(true);
    expect([...bytes.subarray(12)]).toEqual([10, 1, 2, 3]);
  });

  it('returns 0 for non-strings instead of throwing', () => {
    for (const value of [null, undefined, 42, {}, 'x'.repeat(100)]) {
      expect(parseIp(value as unknown as string, new Uint8Array(16))).toBe(0);
    }
  });
});

describe('formatNetwork', () => {
  it.each([
    ['5.6.7.8', 14, '5.4.0.0/14'],
    ['5.6.7.8', 32, '5.6.7.8/32'],
    ['5.6.7.8', 0, '0.0.0.0/0'],
    ['2001:db8:1:2::5', 32, '2001:db8::/32'],
    ['2001:db8:0:0:1:0:0:1', 128, '2001:db8::1:0:0:1/128'],
    ['2001:0:0:1:0:0:0:1', 128, '2001:0:0:1::1/128'],
    ['1:0:2:3:4:5:6:7', 128, '1:0:2:3:4:5:6:7/128'],
    ['fe80::1', 10, 'fe80::/10'],
    ['::1', 0, '::/0'],
  ])('formats %s/%i as %s', (ip, prefix, expected) => {
    const bytes = new Uint8Array(16);
    const version = parseIp(ip, bytes) as 4 | 6;
    expect(formatNetwork(bytes, version, prefix)).toBe(expected);
  });
});

describe('parseCidr', () => {
  it('reads networks and single hosts', () => {
    expect(parseCidr('10.8.0.0/16')).toMatchObject({ version: 4, prefix: 16 });
    expect(parseCidr('2001:db8::/32')).toMatchObject({ version: 6, prefix: 32 });
    expect(parseCidr('192.0.2.1')).toMatchObject({ version: 4, prefix: 32 });
  });

  it.each([
    ['10.0.0.1/8', 'host bits set: did you mean "10.0.0.0/8"'],
    ['10.0.0.0/33', 'invalid prefix length'],
    ['10.0.0.0/', 'invalid prefix length'],
    ['10.0.0.0/-1', 'invalid prefix length'],
    ['2001:db8::/129', 'invalid prefix length'],
    ['banana/8', 'is not a network'],
    ['fe80::%eth0/64', 'is not a network'],
  ])('refuses %s', (cidr, message) => {
    expect(() => parseCidr(cidr)).toThrow(message);
  });
});
