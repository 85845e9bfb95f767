import { hashToken } from '@idp/core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, cookieFrom, login, setCookieLine } from './support/http.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from './support/test-server.js';
import { patchDefaultLoginStage } from './support/admin-api.js';

const FLOW = '/api/v3/flows/executor/default-authentication-flow/';

describe('default authentication flow (Fastify, real Postgres)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('creates the default flows and their stages on first start', async () => {
    const { rows } = await server.db.query(
      `SELECT f.slug, s.name, s.type FROM flows f JOIN flow_stage_bindings b USING (flow_uuid)
       JOIN stages s USING (stage_uuid) ORDER BY f.slug, b."order"`,
    );
    expect(rows.map((r) => `${r.slug}:${r.name}:${r.type}`)).toEqual([
      'default-authentication-flow:default-authentication-identification:identification',
      'default-authentication-flow:default-authentication-password:password',
      'default-authentication-flow:default-authentication-login:user_login',
      'default-enrollment-flow:default-enrollment-prompt:prompt',
      'default-enrollment-flow:default-enrollment-user-write:user_write',
      'default-enrollment-flow:default-enrollment-login:user_login',
      'default-invalidation-flow:default-invalidation-logout:user_logout',
    ]);
    const admin = await server.db.query(`SELECT is_superuser, password FROM users WHERE username = 'akadmin'`);
    expect(admin.rows[0].is_superuser).toBe(true);
    expect(admin.rows[0].password).toMatch(/^\$argon2id\$/);
    const token = await server.db.query('SELECT key_hash FROM api_tokens');
    expect(token.rows[0].key_hash).toHaveLength(64);
  });

  it('answers an unknown flow with 404 JSON', async () => {
    const response = await request(server.http).get('/api/v3/flows/executor/no-such-flow/');
    expect(response.status).toBe(404);
    expect(response.body.detail).toContain('no-such-flow');
  });

  it('starts with the identification challenge and a flow cookie', async () => {
    const browser = new Browser(server.http);
    const response = await browser.get(FLOW);
    expect(response.status).toBe(200);
    expect(response.body.component).toBe('ak-stage-identification');
    expect(setCookieLine(response, 'idp_flow')).toMatch(/HttpOnly/i);
  });

  it('rejects a missing identifier and a wrong password with response_errors, and logs login_failed', async () => {
    const browser = new Browser(server.http);
    await browser.get(FLOW);
    const empty = await browser.post(FLOW, { uid_field: '' });
    expect(empty.body.component).toBe('ak-stage-identification');
    expect(empty.body.response_errors.uid_field[0].code).toBe('required');

    await browser.post(FLOW, { uid_field: 'akadmin' });
    const wrong = await browser.post(FLOW, { password: 'not-the-password' });
    expect(wrong.status).toBe(200);
    expect(wrong.body.component).toBe('ak-stage-password');
    expect(wrong.body.response_errors.password).toEqual([{ string: 'Invalid password', code: 'invalid' }]);
    expect(browser.cookie('idp_session')).toBeUndefined();
    const failed = await server.db.query(`SELECT "user", context FROM events WHERE action = 'login_failed'`);
    expect(failed.rows.at(-1).user.username).toBe('akadmin');
    expect(JSON.stringify(failed.rows.at(-1).context)).not.toContain('not-the-password');
  });

  it('logs in: redirect, HttpOnly SameSite=Lax cookie, hashed session row, login event; then users/me; then logout', async () => {
    const browser = new Browser(server.http);
    const done = await login(browser, 'akadmin', ADMIN_PASSWORD);
    expect(done.body).toMatchObject({ component: 'xak-flow-redirect', to: '/' });

    const line = setCookieLine(done, 'idp_session')!;
    expect(line).toMatch(/HttpOnly/i);
    expect(line).toMatch(/SameSite=Lax/i);
    expect(line).toMatch(/Path=\//);
    expect(line).not.toMatch(/Max-Age|Expires/i); // the default stage is seconds=0: a browser session
    const token = cookieFrom(done, 'idp_session')!.split('=')[1];

    const { rows } = await server.db.query('SELECT * FROM sessions');
    const row = rows.find((r) => r.token_hash === hashToken(token));
    expect(row).toBeDefined();
    expect(row.browser_session).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(row.last_ip).toBe('127.0.0.1');
    expect(row.last_user_agent).toContain('Chrome/131');

    const events = await server.db.query(
      `SELECT "user", context, client_ip FROM events WHERE action = 'login' ORDER BY created DESC LIMIT 1`,
    );
    expect(events.rows[0].user).toMatchObject({ username: 'akadmin' });
    expect(events.rows[0].context.http_request).toMatchObject({ method: 'POST', path: FLOW });
    expect(events.rows[0].context.auth_method).toBe('password');

    const me = await browser.get('/api/v3/core/users/me/');
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ username: 'akadmin', is_superuser: true, is_active: true });

    const logout = await browser.get('/api/v3/flows/executor/default-invalidation-flow/');
    expect(logout.body.component).toBe('xak-flow-redirect');
    expect(setCookieLine(logout, 'idp_session')).toMatch(/Max-Age=0/i);
    const after = await request(server.http).get('/api/v3/core/users/me/').set('Cookie', `idp_session=${token}`);
    expect(after.status).toBe(401);
    const gone = await server.db.query('SELECT 1 FROM sessions WHERE token_hash = $1', [hashToken(token)]);
    expect(gone.rowCount).toBe(0);
    const logoutEvent = await server.db.query(
      `SELECT context FROM events WHERE action = 'logout' ORDER BY created DESC LIMIT 1`,
    );
    expect(logoutEvent.rows[0].context.http_request.path).toBe('/api/v3/flows/executor/default-invalidation-flow/');
  });

  it('returns to a same-origin next path, and to / for anything else', async () => {
    for (const [next, expected] of [
      ['/if/user/?tab=1', '/if/user/?tab=1'],
      ['https://evil.example/', '/'],
      ['//evil.example/', '/'],
    ]) {
      const browser = new Browser(server.http);
      await browser.get(`${FLOW}?next=${encodeURIComponent(next)}`);
      await browser.post(FLOW, { uid_field: 'akadmin' });
      const done = await browser.post(FLOW, { password: ADMIN_PASSWORD });
      expect(done.body.to).toBe(expected);
    }
  });

  it('never accepts the flow cookie as a session cookie (no fixation) and rejects garbage cookies with 401', async () => {
    const browser = new Browser(server.http);
    await browser.get(FLOW);
    const flowToken = browser.cookie('idp_flow')!;
    await browser.post(FLOW, { uid_field: 'akadmin' });
    const done = await browser.post(FLOW, { password: ADMIN_PASSWORD });
    const sessionToken = cookieFrom(done, 'idp_session')!.split('=')[1];
    expect(sessionToken).not.toBe(flowToken);
    for (const cookie of [
      `idp_session=${flowToken}`,
      'idp_session=garbage',
      'idp_session=',
      `idp_session=${'x'.repeat(5000)}`,
      'idp_session=%E0%A4%A',
      'idp_session',
    ]) {
      const response = await request(server.http).get('/api/v3/core/users/me/').set('Cookie', cookie);
      expect(response.status, cookie.slice(0, 40)).toBe(401);
      expect(response.body.code).toBe('not_authenticated');
    }
  });

  it('refuses an expired session (time moved with the injected clock)', async () => {
    const browser = new Browser(server.http);
    await login(browser, 'akadmin', ADMIN_PASSWORD);
    expect((await browser.get('/api/v3/core/users/me/')).status).toBe(200);
    server.clock.advance(server.config.sessionBrowserIdleMs + 1000);
    try {
      expect((await browser.get('/api/v3/core/users/me/')).status).toBe(401);
    } finally {
      server.clock.advance(-(server.config.sessionBrowserIdleMs + 1000));
    }
  });
  it('gives hours=1,minutes=2,seconds=3 a Max-Age of 3723 and a stored expiry of now + 3723 s', async () => {
    await patchDefaultLoginStage(server, { session_duration: 'hours=1,minutes=2,seconds=3' });
    try {
      const browser = new Browser(server.http);
      const before = Date.now();
      const done = await login(browser, 'akadmin', ADMIN_PASSWORD);
      const line = setCookieLine(done, 'idp_session')!;
      expect(line).toMatch(/Max-Age=3723(;|$)/);
      const expiresAttribute = new Date(/Expires=([^;]+)/i.exec(line)![1]).getTime();
      expect(Math.abs(expiresAttribute - (before + 3723_000))).toBeLessThan(5_000);
      const token = cookieFrom(done, 'idp_session')!.split('=')[1];
      const row = (
        await server.db.query('SELECT expires, browser_session FROM sessions WHERE token_hash = $1', [hashToken(token)])
      ).rows[0];
      expect(row.browser_session).toBe(false);
      expect(Math.abs(new Date(row.expires).getTime() - (before + 3723_000))).toBeLessThan(5_000);
    } finally {
      await patchDefaultLoginStage(server, { session_duration: 'seconds=0' });
    }
  });
});
