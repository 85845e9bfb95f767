import proxyAddr from '@fastify/proxy-addr';
import { describe, expect, it } from 'vitest';
import { trustedProxies } from './trusted-proxies.js';

describe('trustedProxies', () => {
  const cidrs = ['127.0.0.0/8', '10.0.0.0/8', '::1/128', '2001:db8::/32', '192.0.2.7', '::ffff:198.51.100.0/120'];

  it.each([
    ['127.0.0.1', true],
    ['10.255.0.1', true],
    ['::ffff:10.1.2.3', true],
    ['::1', true],
    ['2001:db8::5', true],
    ['192.0.2.7', true],
    // An IPv4 peer inside an IPv4-mapped IPv6 range, as the adapters' proxy-addr reads it.
    ['198.51.100.9', true],
    ['192.0.2.8', false],
    ['11.0.0.1', false],
    ['2001:db9::1', false],
    ['not an address', false],
    ['', false],
    [undefined, false],
  ])('%j -> %j, the first time and from memory', (address, expected) => {
    const trusted = trustedProxies(cidrs);
    expect(trusted(address)).toBe(expected);
    expect(trusted(address)).toBe(expected);
  });

  it("answers as the adapters' own proxy-addr does, for every hop and past the size of its memory", () => {
    const remembered = trustedProxies(cidrs);
    const reference = proxyAddr.compile(cidrs);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 12_000; i++) {
        const address =
          i % 5 === 4
            ? `2001:db${8 + (i % 2)}::${i.toString(16)}`
            : `${[10, 11, 127, 198][i % 4]}.51.${(i >> 8) & 255}.${i & 255}`;
        expect(remembered(address, i % 3), address).toBe(reference(address, i % 3));
      }
    }
  });
});
