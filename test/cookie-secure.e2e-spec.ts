// `Secure` on the session and flow cookies with COOKIE_SECURE=auto: set when the request came
// over https, which behind a proxy means `X-Forwarded-Proto: https` from a peer in
// TRUSTED_PROXY_CIDRS, and never from a peer outside it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, setCookieLine } from './support/http.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from './support/test-server.js';

const FLOW = '/api/v3/flows/executor/default-authentication-flow/';

/**
 * Logs akadmin in (and out) with these extra headers on every request; returns each answer's
 * Set-Cookie line. Secure cookies carry the `__Host-` prefix, so `secure` says which name to read.
 */
async function loginWith(server: TestServer, headers: Record<string, string>, secure: boolean) {
  const prefix = secure ? '__Host-' : '';
  const browser = new Browser(server.http);
  const started = await browser.get(FLOW, headers);
  await browser.post(FLOW, { component: 'ak-stage-identification', uid_field: 'akadmin' }, headers);
  const done = await browser.post(FLOW, { component: 'ak-stage-password', password: ADMIN_PASSWORD }, headers);
  expect(done.body.component).toBe('xak-flow-redirect');
  const logout = await browser.get('/api/v3/flows/executor/default-invalidation-flow/', headers);
  return {
    flow: setCookieLine(started, `${prefix}idp_flow`)!,
    session: setCookieLine(done, `${prefix}idp_session`)!,
    cleared: setCookieLine(logout, `${prefix}idp_session`)!,
  };
}

const attributes = (line: string) => line.split('; ').slice(1);

describe.each([
  // Supertest connects from 127.0.0.1: trusted by the default list, not by 10.0.0.0/8.
  { peer: 'trusted', cidrs: '127.0.0.0/8', https: true },
  { peer: 'untrusted', cidrs: '10.0.0.0/8', https: false },
])('COOKIE_SECURE=auto behind a proxy: a $peer peer', ({ cidrs, https }) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { COOKIE_SECURE: 'auto', TRUSTED_PROXY_CIDRS: cidrs } });
  });
  afterAll(() => server?.close());

  it(`X-Forwarded-Proto: https ${https ? 'sets' : 'does not set'} Secure on the flow and session cookies and on clearing`, async () => {
    const lines = await loginWith(server, { 'X-Forwarded-Proto': 'https' }, https);
    for (const [name, line] of Object.entries(lines)) {
      expect(line, name).toBeDefined();
      expect(attributes(line).includes('Secure'), `${name}: ${line}`).toBe(https);
    }
  });

  it('X-Forwarded-Proto: http, or none, never sets Secure', async () => {
    for (const headers of [{ 'X-Forwarded-Proto': 'http' }, {}] as Array<Record<string, string>>) {
      const lines = await loginWith(server, headers, false);
      for (const [name, line] of Object.entries(lines)) expect(attributes(line), name).not.toContain('Secure');
    }
  });
});
