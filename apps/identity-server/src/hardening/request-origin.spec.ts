import { describe, expect, it } from 'vitest';
import { trustedPeer } from './request-origin.js';

describe('trustedPeer', () => {
  const cidrs = ['127.0.0.0/8', '10.0.0.0/8', '::1/128', '2001:db8::/32', '192.0.2.7'];

  it.each([
    ['127.0.0.1', true],
    ['10.255.0.1', true],
    ['::ffff:10.1.2.3', true],
    ['::1', true],
    ['2001:db8::5', true],
    ['192.0.2.7', true],
    ['192.0.2.8', false],
    ['11.0.0.1', false],
    ['2001:db9::1', false],
    ['not an address', false],
    ['', false],
    [undefined, false],
  ])('%j -> %j, the first time and from memory', (address, expected) => {
    const trusted = trustedPeer(cidrs);
    expect(trusted(address)).toBe(expected);
    expect(trusted(address)).toBe(expected);
  });

  it('answers the same for many peers as a fresh check does, past the size of its memory', () => {
    const remembered = trustedPeer(cidrs);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 12_000; i++) {
        const address = `${[10, 11, 127][i % 3]}.${(i >> 8) & 255}.${i & 255}.${i % 7}`;
        expect(remembered(address), address).toBe(trustedPeer(cidrs)(address));
      }
    }
  });
});
