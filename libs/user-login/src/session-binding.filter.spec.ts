import type { ArgumentsHost } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { NotAuthenticatedException, SessionBindingBrokenException } from './session-binding.exception.js';
import { SessionBindingBrokenFilter } from './session-binding.filter.js';

/** What the filter did through the adapter: one redirect or one reply. */
function answer(accept: string | string[] | undefined, loginUrl = '/if/flow/default-authentication-flow/?next=%2F') {
  const calls: unknown[][] = [];
  const adapterHost = {
    httpAdapter: {
      redirect: (_response: unknown, status: number, url: string) => calls.push(['redirect', status, url]),
      reply: (_response: unknown, body: unknown, status: number) => calls.push(['reply', status, body]),
    },
  } as unknown as HttpAdapterHost;
  const host = {
    switchToHttp: () => ({
      getRequest: () => ({ method: 'GET', url: '/', headers: accept === undefined ? {} : { accept } }),
      getResponse: () => ({}),
    }),
  } as unknown as ArgumentsHost;
  new SessionBindingBrokenFilter(adapterHost).catch(new SessionBindingBrokenException(loginUrl), host);
  return calls;
}

const JSON_401 = ['reply', 401, { detail: 'Session binding broken', code: 'session_binding_broken' }];

describe('SessionBindingBrokenFilter', () => {
  it('sends a browser navigation (Accept: text/html, any case) to the login page with reason=binding_broken', () => {
    expect(answer('text/html,application/xhtml+xml')).toEqual([
      ['redirect', 302, '/if/flow/default-authentication-flow/?next=%2F&reason=binding_broken'],
    ]);
    expect(answer('TEXT/HTML')).toHaveLength(1);
    expect(answer('TEXT/HTML')[0][0]).toBe('redirect');
  });

  it('starts the query when the login URL has none', () => {
    expect(answer('text/html', '/login')).toEqual([['redirect', 302, '/login?reason=binding_broken']]);
  });

  it.each([['application/json'], ['*/*'], [undefined], [['text/html', 'application/json']]])(
    'answers Accept %j with the 401 JSON',
    (accept) => {
      expect(answer(accept)).toEqual([JSON_401]);
    },
  );
});

describe('the 401 answers', () => {
  it('carry a fixed detail and code', () => {
    const broken = new SessionBindingBrokenException('/login');
    expect(broken.getStatus()).toBe(401);
    expect(broken.code).toBe('session_binding_broken');
    expect(broken.loginUrl).toBe('/login');
    const missing = new NotAuthenticatedException();
    expect(missing.getStatus()).toBe(401);
    expect(missing.code).toBe('not_authenticated');
    expect(missing.getResponse()).toEqual({
      detail: 'Authentication credentials were not provided or are invalid.',
      code: 'not_authenticated',
    });
  });
});
