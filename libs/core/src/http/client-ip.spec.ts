import { describe, expect, it } from 'vitest';
import { clientIp, DEFAULT_TRUSTED_PROXY_CIDRS, normalizeIp, parseCidrList } from './client-ip.js';
import { userAgent } from './request-context.js';

const request = (fields: { ip?: string; remoteAddress?: string; socket?: boolean } = {}) => ({
  method: 'GET',
  url: '/',
  headers: {},
  ip: fields.ip,
  ...(fields.socket === false ? {} : { socket: { remoteAddress: fields.remoteAddress } }),
});

describe('normalizeIp', () => {
  it.each([
    ['198.51.100.7', '198.51.100.7'],
    [' 198.51.100.7 ', '198.51.100.7'],
    ['::ffff:198.51.100.7', '198.51.100.7'],
    ['::FFFF:C633:6407', '198.51.100.7'],
    ['2001:DB8:0:0::1', '2001:db8::1'],
    ['::1', '::1'],
    ['not an ip', null],
    ['198.51.100.7, 10.0.0.1', null],
    ['', null],
    [undefined, null],
    [null, null],
  ])('%j -> %j', (value, expected) => {
    expect(normalizeIp(value)).toBe(expected);
  });
});

describe('clientIp', () => {
  it("takes the adapter's answer, normalised", () => {
    expect(clientIp(request({ ip: '::ffff:203.0.113.9', remoteAddress: '10.0.0.1' }))).toBe('203.0.113.9');
  });

  it('falls back to the socket address when the adapter gave garbage (a trusted proxy forwarding junk)', () => {
    expect(clientIp(request({ ip: 'unknown', remoteAddress: '::ffff:10.0.0.1' }))).toBe('10.0.0.1');
  });

  it('is always an IP: 0.0.0.0 when neither is usable, with or without a socket', () => {
    expect(clientIp(request({ ip: 'unknown', remoteAddress: 'also unknown' }))).toBe('0.0.0.0');
    expect(clientIp(request({ socket: false }))).toBe('0.0.0.0');
  });
});

describe('parseCidrList', () => {
  it('splits on commas, trims, drops empty entries, and takes bare addresses', () => {
    expect(parseCidrList(' 10.0.0.0/8 ,, ::1 ,192.168.0.1,')).toEqual(['10.0.0.0/8', '::1', '192.168.0.1']);
    expect(parseCidrList('')).toEqual([]);
  });

  it('names the variable and the entry that is neither an address nor a CIDR', () => {
    expect(() => parseCidrList('10.0.0.0/8,office')).toThrow(
      'TRUSTED_PROXY_CIDRS: "office" is not an IP address or CIDR (e.g. 10.0.0.0/8, ::1/128)',
    );
    expect(() => parseCidrList('10.0.0.0/33', 'OTHER_CIDRS')).toThrow('OTHER_CIDRS: "10.0.0.0/33" is not');
  });

  it('accepts its own default', () => {
    expect(parseCidrList(DEFAULT_TRUSTED_PROXY_CIDRS.join(','))).toEqual(DEFAULT_TRUSTED_PROXY_CIDRS);
  });
});

const withAgent = (agent: string | string[] | undefined) => ({
  method: 'GET',
  url: '/',
  headers: { 'user-agent': agent },
});

describe('userAgent', () => {
  it('keeps at most 512 characters of it (it goes into every event and session row)', () => {
    expect(userAgent(withAgent('a'.repeat(600)))).toBe('a'.repeat(512));
    expect(userAgent(withAgent('UA/1'))).toBe('UA/1');
  });

  it('takes the first of repeated headers, and is empty without one', () => {
    expect(userAgent(withAgent(['UA/1', 'UA/2']))).toBe('UA/1');
    expect(userAgent(withAgent(undefined))).toBe('');
  });
});
