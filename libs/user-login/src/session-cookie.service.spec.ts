import type { HttpRequestLike, HttpResponseLike } from '@idp/core';
import type { HttpAdapterHost } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { SessionCookieService } from './session-cookie.service.js';
import { resolveUserLoginOptions, type UserLoginModuleOptions } from './user-login-options.interface.js';

const NOW = new Date('2026-03-01T10:00:00Z');

/** A response whose header store replaces on set, as Express's does (the harder case). */
function writable(initial?: string[]) {
  const headers = new Map<string, unknown>(initial ? [['set-cookie', initial]] : []);
  const response = {
    headers,
    getHeader: (name: string) => headers.get(name),
    removeHeader: (name: string) => headers.delete(name),
  };
  return { response: response as HttpResponseLike, lines: () => headers.get('set-cookie') as string[] };
}

/** The service with an adapter whose setHeader writes into the fake response's store. */
function service(options: UserLoginModuleOptions = {}) {
  const adapterHost = {
    httpAdapter: {
      setHeader: (response: { headers: Map<string, unknown> }, name: string, value: unknown) =>
        response.headers.set(name, value),
    },
  } as unknown as HttpAdapterHost;
  return new SessionCookieService(adapterHost, resolveUserLoginOptions(options), { now: () => NOW });
}

const http = (headers: Record<string, string> = {}, protocol = 'http'): HttpRequestLike => ({
  method: 'GET',
  url: '/',
  headers,
  protocol,
});

describe('SessionCookieService', () => {
  it('reads the configured cookie by name, and nothing else', () => {
    const cookies = service({ cookieName: 'sid' });
    expect(cookies.read(http({ cookie: 'idp_session=other; sid=token-1' }))).toBe('token-1');
    expect(cookies.read(http({ cookie: 'idp_session=other' }))).toBeUndefined();
    expect(cookies.read(http())).toBeUndefined();
  });

  it('sets a browser cookie: HttpOnly, SameSite=Lax, Path=/, no Max-Age and no Expires', () => {
    const { response, lines } = writable();
    service().set(http(), response, 'tok');
    expect(lines()).toEqual(['idp_session=tok; Path=/; HttpOnly; SameSite=Lax']);
  });

  it('sets Max-Age and an Expires of now + Max-Age from the injected clock', () => {
    const { response, lines } = writable();
    service().set(http(), response, 'tok', 3723);
    const expires = new Date(NOW.getTime() + 3723 * 1000).toUTCString();
    expect(lines()).toEqual([`idp_session=tok; Max-Age=3723; Path=/; Expires=${expires}; HttpOnly; SameSite=Lax`]);
  });

  it('clears with an empty value, Max-Age=0, an Expires in 1970 and the same Path=/', () => {
    const { response, lines } = writable();
    service().clear(http(), response);
    expect(lines()).toEqual([
      'idp_session=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax',
    ]);
  });

  it.each([
    ['auto', 'https', true],
    ['auto', 'http', false],
    ['true', 'http', true],
    ['false', 'https', false],
  ] as const)('cookieSecure=%s over %s: Secure is %s, on set and on clear', (mode, protocol, secure) => {
    for (const write of ['set', 'clear'] as const) {
      const { response, lines } = writable();
      const cookies = service({ cookieSecure: mode });
      if (write === 'set') cookies.set(http({}, protocol), response, 'tok');
      else cookies.clear(http({}, protocol), response);
      const [line] = lines();
      expect(line.split('; ').includes('Secure')).toBe(secure);
      // A Secure cookie goes by the __Host- name, and only that name is read back.
      expect(line.startsWith(secure ? '__Host-idp_session=' : 'idp_session=')).toBe(true);
      expect(cookies.name(http({}, protocol))).toBe(secure ? '__Host-idp_session' : 'idp_session');
    }
  });

  it('keeps the other cookies already set on the response and replaces its own', () => {
    const { response, lines } = writable(['idp_flow=f; Path=/', 'idp_session=old; Path=/']);
    service().set(http(), response, 'new');
    expect(lines()).toEqual(['idp_flow=f; Path=/', 'idp_session=new; Path=/; HttpOnly; SameSite=Lax']);
  });
});
