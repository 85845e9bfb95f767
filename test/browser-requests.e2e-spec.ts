import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminAuth, createUser } from './support/admin-api.js';
import { Browser, login } from './support/http.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from './support/test-server.js';

const AUTH_FLOW = '/api/v3/flows/executor/default-authentication-flow/';
const LOGOUT_FLOW = '/api/v3/flows/executor/default-invalidation-flow/';
const CROSS_ORIGIN = { detail: 'Cross-origin request refused', code: 'cross_origin' };

/** Design section 11, "Requests from browsers": CSRF from other sites and sibling subdomains. */
describe.each(['fastify', 'express'] as const)('requests from browsers (%s)', (adapter) => {
  let server: TestServer;
  let admin: Browser;
  let victimPk: number;

  beforeAll(async () => {
    server = await startTestServer({ adapter });
    admin = new Browser(server.http);
    expect((await login(admin, 'akadmin', ADMIN_PASSWORD)).body.component).toBe('xak-flow-redirect');
    victimPk = await createUser(server, `victim-${adapter}`, 'victim-password-1');
  });
  afterAll(() => server?.close());

  const passwordHash = async (pk: number) =>
    (await server.db.query('SELECT password FROM users WHERE pk = $1', [pk])).rows[0].password;
  const userCount = async () => Number((await server.db.query('SELECT count(*) AS n FROM users')).rows[0].n);

  it('refuses a cookie-authenticated JSON POST from another origin with 403 and changes nothing', async () => {
    const before = await passwordHash(victimPk);
    const answer = await admin.post(
      `/api/v3/core/users/${victimPk}/set_password/`,
      { password: 'attacker-chosen-1' },
      { Origin: 'https://evil.example' },
    );
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual(CROSS_ORIGIN);
    expect(await passwordHash(victimPk)).toBe(before);
  });

  it('refuses an HTML form (urlencoded, multipart or text/plain) with 415 even without an Origin', async () => {
    const users = await userCount();
    for (const [type, body] of [
      ['application/x-www-form-urlencoded', 'username=mallory&password=attacker-chosen-1'],
      ['text/plain', '{"username":"mallory","password":"attacker-chosen-1"}'],
      [
        'multipart/form-data; boundary=x',
        '--x\r\nContent-Disposition: form-data; name="username"\r\n\r\nmallory\r\n--x--\r\n',
      ],
    ]) {
      const answer = await admin.post('/api/v3/core/users/', body, { 'Content-Type': type });
      expect(answer.status, type).toBe(415);
      expect(answer.body.code).toBe('unsupported_media_type');
    }
    expect(await userCount()).toBe(users);
  });

  it('refuses a form-encoded login through the executor and a cross-origin sign-out', async () => {
    const browser = new Browser(server.http);
    await browser.get(AUTH_FLOW);
    const form = await browser.post(AUTH_FLOW, 'component=ak-stage-identification&uid_field=akadmin', {
      'Content-Type': 'application/x-www-form-urlencoded',
      Origin: 'https://evil.example',
    });
    expect(form.status).toBe(403);
    const formSameSite = await browser.post(AUTH_FLOW, 'component=ak-stage-identification&uid_field=akadmin', {
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    expect(formSameSite.status).toBe(415);

    const signOut = await admin.post(LOGOUT_FLOW, {}, { Origin: 'https://evil.example' });
    expect(signOut.status).toBe(403);
    expect((await admin.get('/api/v3/core/users/me/')).status).toBe(200);
  });

  it('refuses a sibling subdomain behind the trusted HTTPS proxy, and serves the own origin', async () => {
    const proxied = { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'id.example.com' };
    const sibling = await admin.post(
      `/api/v3/core/users/${victimPk}/set_password/`,
      { password: 'attacker-chosen-1' },
      { ...proxied, Origin: 'https://blog.example.com' },
    );
    expect(sibling.status).toBe(403);
    const plainHttp = await admin.post(
      `/api/v3/core/users/${victimPk}/set_password/`,
      { password: 'attacker-chosen-1' },
      { ...proxied, Origin: 'http://id.example.com' },
    );
    expect(plainHttp.status).toBe(403);
    // Over HTTPS the session cookie is __Host-idp_session: sign in through the proxy first.
    const secure = new Browser(server.http);
    await secure.get(AUTH_FLOW, proxied);
    await secure.post(AUTH_FLOW, { component: 'ak-stage-identification', uid_field: 'akadmin' }, proxied);
    const signedIn = await secure.post(
      AUTH_FLOW,
      { component: 'ak-stage-password', password: ADMIN_PASSWORD },
      proxied,
    );
    expect(signedIn.body.component).toBe('xak-flow-redirect');
    const own = await secure.post(
      `/api/v3/core/users/${victimPk}/set_password/`,
      { password: 'victim-password-2' },
      { ...proxied, Origin: 'https://id.example.com' },
    );
    expect(own.status).toBe(204);
  });

  it('serves requests from its own origin, without an Origin, and with a bearer token from anywhere', async () => {
    expect(
      (
        await admin.post(
          '/api/v3/core/users/',
          { username: `a-${adapter}` },
          { Host: 'id.test', Origin: 'http://id.test' },
        )
      ).status,
    ).toBe(201);
    expect((await admin.post('/api/v3/core/users/', { username: `b-${adapter}` })).status).toBe(201);
    const bearer = await request(server.http)
      .post('/api/v3/core/users/')
      .set({ ...adminAuth(), Origin: 'https://tooling.example' })
      .send({ username: `c-${adapter}` });
    expect(bearer.status).toBe(201);
    expect((await admin.post('/api/v3/core/users/', { username: 'x' }, { Origin: 'null' })).status).toBe(403);
  });

  it('answers a body over 1 MiB with 413', async () => {
    const huge = { username: 'big', name: 'x'.repeat(1024 * 1024) };
    const answer = await request(server.http).post('/api/v3/core/users/').set(adminAuth()).send(huge);
    expect(answer.status).toBe(413);
  });

  it('marks API answers nosniff and no-store (errors too), and sends HSTS only over HTTPS via a trusted proxy', async () => {
    for (const answer of [
      await admin.get('/api/v3/core/users/me/'),
      await request(server.http).get('/api/v3/core/users/me/'),
      await request(server.http).get('/api/v3/core/users/999999/').set(adminAuth()),
    ]) {
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(answer.headers['strict-transport-security']).toBeUndefined();
    }
    const https = await request(server.http).get('/api/v3/core/users/me/').set('X-Forwarded-Proto', 'https');
    expect(https.headers['strict-transport-security']).toBe('max-age=63072000');
    const page = await request(server.http)
      .get('/if/flow/default-authentication-flow/')
      .set('X-Forwarded-Proto', 'https');
    expect(page.headers['strict-transport-security']).toBe('max-age=63072000');
  });
});

describe('HSTS from an untrusted peer', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { TRUSTED_PROXY_CIDRS: '10.0.0.0/8' } });
  });
  afterAll(() => server?.close());

  it('ignores X-Forwarded-Proto from a peer outside TRUSTED_PROXY_CIDRS', async () => {
    const answer = await request(server.http).get('/-/health/live/').set('X-Forwarded-Proto', 'https');
    expect(answer.status).toBe(204);
    expect(answer.headers['strict-transport-security']).toBeUndefined();
    expect(answer.headers['cache-control']).toBe('no-store');
  });
});
