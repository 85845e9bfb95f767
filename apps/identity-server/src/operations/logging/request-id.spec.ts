import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { requestIdFrom } from './request-id.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const from = (peer: string, id?: string) =>
  ({ socket: { remoteAddress: peer }, headers: id === undefined ? {} : { 'x-request-id': id } }) as IncomingMessage;

describe('requestIdFrom', () => {
  const sut = requestIdFrom(['10.0.0.0/8', '::1', '192.0.2.7']);

  it.each([
    ['10.1.2.3', 'a CIDR'],
    ['::ffff:10.1.2.3', 'an IPv4-mapped peer'],
    ['::1', 'a bare IPv6 address'],
    ['192.0.2.7', 'a bare IPv4 address'],
  ])('keeps the id a trusted proxy sent (%s, %s)', (peer) => {
    expect(sut(from(peer, 'edge-1234.abc'))).toBe('edge-1234.abc');
  });

  it.each([
    ['203.0.113.9', 'proxy-chosen-id', 'an untrusted peer'],
    ['10.0.0.1', 'has spaces in it', 'spaces'],
    ['10.0.0.1', 'x'.repeat(129), 'over 128 characters'],
    ['10.0.0.1', 'line\nbreak', 'a control character'],
    ['10.0.0.1', '', 'an empty header'],
    ['not-an-ip', 'proxy-chosen-id', 'an unparsable peer'],
  ])('makes a fresh UUID for %s / %j (%s)', (peer, id) => {
    expect(sut(from(peer, id))).toMatch(UUID);
  });

  it('makes a fresh UUID per request when no id was sent', () => {
    const a = sut(from('10.0.0.1'));
    const b = sut(from('10.0.0.1'));
    expect(a).toMatch(UUID);
    expect(a).not.toBe(b);
  });
});
