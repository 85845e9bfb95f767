// `__Host-` cookie names on Secure cookies (docs/api.md, Cookies): the session and flow cookies are
// `__Host-idp_session` / `__Host-idp_flow` with Path=/ and no Domain, and only the name in force
// is read back.
import { hashToken } from '@idp/core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, login, setCookieLine } from './support/http.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from './support/test-server.js';

const ME = '/api/v3/core/users/me/';
const FLOW = '/api/v3/flows/executor/default-authentication-flow/';

describe('__Host- cookies when cookies are Secure (COOKIE_SECURE=true)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ env: { COOKIE_SECURE: 'true' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('the flow and session cookies carry the prefix, Secure, Path=/ and no Domain', async () => {
    const browser = new Browser(server.http);
    const started = await browser.get(FLOW);
    const flowLine = setCookieLine(started, '__Host-idp_flow')!;
    expect(flowLine).toMatch(/; Secure/i);
    expect(flowLine).toMatch(/; Path=\//i);
    expect(flowLine).not.toMatch(/Domain=/i);
    expect(setCookieLine(started, 'idp_flow')).toBeUndefined();

    await browser.post(FLOW, { component: 'ak-stage-identification', uid_field: 'akadmin' });
    const finished = await browser.post(FLOW, { component: 'ak-stage-password', password: ADMIN_PASSWORD });
    expect(finished.body.component).toBe('xak-flow-redirect');
    const sessionLine = setCookieLine(finished, '__Host-idp_session')!;
    expect(sessionLine).toMatch(/; Secure/i);
    expect(sessionLine).toMatch(/; Path=\//i);
    expect(sessionLine).not.toMatch(/Domain=/i);
    expect(setCookieLine(finished, 'idp_session')).toBeUndefined();
    expect((await browser.get(ME)).status).toBe(200);
  });

  it('reading accepts only the name in force: the token under the plain name is not a session', async () => {
    const browser = new Browser(server.http);
    await login(browser, 'akadmin', ADMIN_PASSWORD);
    const token = browser.cookie('__Host-idp_session')!;
    expect((await server.db.query('SELECT 1 FROM sessions WHERE token_hash = $1', [hashToken(token)])).rowCount).toBe(
      1,
    );
    expect((await request(server.http).get(ME).set('Cookie', `__Host-idp_session=${token}`)).status).toBe(200);
    expect((await request(server.http).get(ME).set('Cookie', `idp_session=${token}`)).status).toBe(401);
  });

  it('a flow cookie under the plain name is not resumed', async () => {
    const browser = new Browser(server.http);
    await browser.get(FLOW);
    await browser.post(FLOW, { component: 'ak-stage-identification', uid_field: 'akadmin' });
    const flowToken = browser.cookie('__Host-idp_flow')!;
    const resumed = await request(server.http).get(FLOW).set('Cookie', `__Host-idp_flow=${flowToken}`);
    expect(resumed.body.component).toBe('ak-stage-password');
    const plain = await request(server.http).get(FLOW).set('Cookie', `idp_flow=${flowToken}`);
    expect(plain.body.component).toBe('ak-stage-identification');
  });

  it('signing out clears the prefixed cookie', async () => {
    const browser = new Browser(server.http);
    await login(browser, 'akadmin', ADMIN_PASSWORD);
    const out = await browser.get('/api/v3/flows/executor/default-invalidation-flow/');
    expect(setCookieLine(out, '__Host-idp_session')).toMatch(/Max-Age=0/i);
    expect(browser.cookie('__Host-idp_session')).toBeUndefined();
  });
});
