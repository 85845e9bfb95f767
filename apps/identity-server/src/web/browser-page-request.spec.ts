import { describe, expect, it } from 'vitest';
import { isBrowserPageRequest } from './browser-page-request.js';
import { readSignOutReason, SIGN_OUT_REASONS } from './sign-out-reasons.js';

const HTML = 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8';

describe('isBrowserPageRequest', () => {
  it.each([
    ['GET', '/if/user/', HTML, true],
    ['HEAD', '/nothing', HTML, true],
    ['GET', '/if/x?y=/api/', HTML, true],
    ['GET', '/api/v3/core/users/me/', HTML, false],
    ['GET', '/api', HTML, false],
    ['GET', '/-/health/live/', HTML, false],
    ['GET', '/if/user/', 'application/json', false],
    ['GET', '/if/user/', undefined, false],
    ['POST', '/if/user/', HTML, false],
  ])('%s %s (Accept %s) -> %s', (method, url, accept, expected) => {
    expect(isBrowserPageRequest({ method, url, headers: { accept } })).toBe(expected);
  });
});

describe('readSignOutReason', () => {
  it.each(SIGN_OUT_REASONS)('passes %s', (reason) => {
    expect(readSignOutReason(reason)).toBe(reason);
  });

  it.each([undefined, '', 'EXPIRED', 'expired ', ['expired'], '<b>hi</b>', 'constructor', 'toString'])(
    'drops %j',
    (value) => {
      expect(readSignOutReason(value)).toBeUndefined();
    },
  );
});
