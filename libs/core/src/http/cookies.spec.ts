import { describe, expect, it } from 'vitest';
import { appendSetCookie, cookieSecure, readCookie } from './cookies.js';
import { httpRequestContext } from './request-context.js';

const request = (headers: Record<string, string>, url = '/', protocol = 'http') => ({
  method: 'GET',
  url,
  headers,
  protocol,
});

/** A response whose header store behaves like Express's (set replaces). */
function fakeResponse() {
  const headers = new Map<string, unknown>();
  return {
    headers,
    getHeader: (name: string) => headers.get(name),
    removeHeader: (name: string) => headers.delete(name),
    set: (_res: unknown, name: string, value: string | string[]) => headers.set(name, value),
  };
}

describe('readCookie', () => {
  it.each([
    ['a=1; idp_session=tok; b=2', 'tok'],
    ['idp_session=', undefined],
    ['other=1', undefined],
    ['idp_session', undefined],
    ['idp_session=%E0%A4%A', '%E0%A4%A'],
  ])('reads %j as %j', (header, expected) => {
    expect(readCookie(request({ cookie: header }), 'idp_session')).toBe(expected);
  });

  it('treats a missing or empty header as no cookie', () => {
    expect(readCookie(request({}), 'idp_session')).toBeUndefined();
    expect(readCookie(request({ cookie: '' }), 'idp_session')).toBeUndefined();
  });

  it('reads the first of two cookies of the same name, and treats a header list as no cookie', () => {
    expect(readCookie(request({ cookie: 'idp_session=a; idp_session=b' }), 'idp_session')).toBe('a');
    const listed = { method: 'GET', url: '/', headers: { cookie: ['idp_session=a'] } };
    expect(readCookie(listed, 'idp_session')).toBeUndefined();
  });
});

describe('appendSetCookie', () => {
  it('keeps cookies already set on the response and replaces one of the same name', () => {
    const response = fakeResponse();
    appendSetCookie(response.set, response, 'idp_flow', 'f1', { httpOnly: true, path: '/' });
    appendSetCookie(response.set, response, 'idp_session', 's1', { httpOnly: true, path: '/', maxAge: 60 });
    appendSetCookie(response.set, response, 'idp_flow', '', { path: '/', maxAge: 0 });
    expect(response.headers.get('set-cookie')).toEqual([
      'idp_session=s1; Max-Age=60; Path=/; HttpOnly',
      'idp_flow=; Max-Age=0; Path=/',
    ]);
  });
});

describe('appendSetCookie on an appending header store (as Fastify)', () => {
  it('writes each cookie once: the old list is removed before the new one is set', () => {
    const headers = new Map<string, string[]>();
    const response = {
      getHeader: (name: string) => headers.get(name),
      removeHeader: (name: string) => headers.delete(name),
    };
    const append = (_res: unknown, name: string, value: string | string[]) =>
      headers.set(name, [...(headers.get(name) ?? []), ...([] as string[]).concat(value)]);
    appendSetCookie(append, response, 'idp_flow', 'f1', { path: '/' });
    appendSetCookie(append, response, 'idp_session', 's1', { path: '/' });
    expect(headers.get('set-cookie')).toEqual(['idp_flow=f1; Path=/', 'idp_session=s1; Path=/']);
  });

  it('keeps a single line already set as a string', () => {
    const response = fakeResponse();
    response.headers.set('set-cookie', 'other=1; Path=/');
    appendSetCookie(response.set, response, 'idp_flow', 'f1', { path: '/' });
    expect(response.headers.get('set-cookie')).toEqual(['other=1; Path=/', 'idp_flow=f1; Path=/']);
  });
});

describe('cookieSecure', () => {
  it.each([
    ['auto', 'https', true],
    ['auto', 'http', false],
    ['true', 'http', true],
    ['false', 'https', false],
  ] as const)('%s over %s -> %s', (mode, protocol, expected) => {
    expect(cookieSecure(mode, request({}, '/', protocol))).toBe(expected);
  });
});

describe('httpRequestContext', () => {
  it('describes the request and masks credential-like query arguments', () => {
    const context = httpRequestContext({
      ...request({ 'user-agent': 'UA/1' }, '/if/admin/?next=%2Fx&token=abc&api_key=k'),
      method: 'POST',
    });
    expect(context).toEqual({
      args: { next: '/x', token: '********', api_key: '********' },
      path: '/if/admin/',
      method: 'POST',
      user_agent: 'UA/1',
    });
  });

  it('prefers the original URL (Express rewrites url under routers), then url, then /', () => {
    const base = { method: 'GET', headers: {} };
    expect(httpRequestContext({ ...base, url: '/inner?a=1', originalUrl: '/outer/inner?a=2' })).toMatchObject({
      path: '/outer/inner',
      args: { a: '2' },
    });
    expect(httpRequestContext({ ...base, url: undefined as unknown as string })).toMatchObject({ path: '/', args: {} });
  });
});

describe('cookieNameInForce', () => {
  it('prefixes __Host- exactly when the cookie is Secure', async () => {
    const { cookieNameInForce } = await import('./cookies.js');
    expect(cookieNameInForce('idp_session', true)).toBe('__Host-idp_session');
    expect(cookieNameInForce('idp_session', false)).toBe('idp_session');
  });
});
