import { hashToken } from '@idp/core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asnRecord, cityRecord, writeAsnDb, writeCityDb } from './fixtures/geoip-fixtures.js';
import { Browser, cookieFrom, login, setCookieLine } from './support/http.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from './support/test-server.js';

const LOGOUT = '/api/v3/flows/executor/default-invalidation-flow/';
const CLIENT_IP = '5.4.1.2';

describe('plain logout through default-invalidation-flow (GeoIP fixtures)', () => {
  let server: TestServer;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idp-logout-'));
    const city = writeCityDb(join(dir, 'city.mmdb'), [
      ['5.4.0.0/14', cityRecord({ continent: 'EU', country: 'DE', city: 'Kassel', lat: 51.2993, long: 9.491 })],
    ]);
    const asn = writeAsnDb(join(dir, 'asn.mmdb'), [['5.4.0.0/14', asnRecord(6805, 'Telefonica Germany')]]);
    server = await startTestServer({ env: { GEOIP_CITY_DB: city, GEOIP_ASN_DB: asn } });
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function logoutEvents(): Promise<
    Array<{ user: Record<string, unknown>; context: Record<string, any>; client_ip: string }>
  > {
    return (
      await server.db.query(`SELECT "user", context, client_ip FROM events WHERE action = 'logout' ORDER BY created`)
    ).rows;
  }

  it('ends the session, clears the cookie, and writes one logout event with http_request, geo and asn', async () => {
    const browser = new Browser(server.http);
    // The test talks to the server from loopback, a trusted proxy, so X-Forwarded-For is the client.
    browser.forwardedFor = CLIENT_IP;
    const done = await login(browser, 'akadmin', ADMIN_PASSWORD);
    const token = cookieFrom(done, 'idp_session')!.split('=')[1];
    expect(
      (await server.db.query('SELECT last_ip FROM sessions WHERE token_hash = $1', [hashToken(token)])).rows,
    ).toEqual([{ last_ip: CLIENT_IP }]);
    const before = (await logoutEvents()).length;

    const out = await browser.get(`${LOGOUT}?next=%2Fif%2Fuser%2F`);
    expect(out.status).toBe(200);
    expect(out.body).toMatchObject({ component: 'xak-flow-redirect', to: '/if/user/' });
    const cleared = setCookieLine(out, 'idp_session')!;
    expect(cleared).toMatch(/^idp_session=;/);
    expect(cleared).toMatch(/Max-Age=0/);
    expect(cleared).toMatch(/Path=\//);
    expect(browser.cookie('idp_session')).toBeUndefined();

    expect((await server.db.query('SELECT 1 FROM sessions WHERE token_hash = $1', [hashToken(token)])).rowCount).toBe(
      0,
    );
    const events = await logoutEvents();
    expect(events).toHaveLength(before + 1);
    const event = events.at(-1)!;
    expect(event.user).toMatchObject({ username: 'akadmin', email: 'admin@example.test' });
    expect(event.client_ip).toBe(CLIENT_IP);
    expect(event.context.http_request).toEqual({
      args: { next: '/if/user/' },
      path: LOGOUT,
      method: 'GET',
      user_agent: browser.userAgent,
    });
    expect(event.context.geo).toEqual({ continent: 'EU', country: 'DE', city: 'Kassel', lat: 51.2993, long: 9.491 });
    expect(event.context.asn).toEqual({ asn: 6805, as_org: 'Telefonica Germany', network: '5.4.0.0/14' });
    expect(event.context.logout_reason).toBe('User logged out');

    // The old token is worth nothing now, even sent by hand.
    const replay = await request(server.http).get('/api/v3/core/users/me/').set('Cookie', `idp_session=${token}`);
    expect(replay.status).toBe(401);
  });

  it('leaves geo and asn out for an address the databases do not know', async () => {
    const browser = new Browser(server.http);
    browser.forwardedFor = '198.51.100.20';
    await login(browser, 'akadmin', ADMIN_PASSWORD);
    await browser.get(LOGOUT);
    const event = (await logoutEvents()).at(-1)!;
    expect(event.client_ip).toBe('198.51.100.20');
    expect(event.context.http_request.path).toBe(LOGOUT);
    expect(event.context).not.toHaveProperty('geo');
    expect(event.context).not.toHaveProperty('asn');
  });

  it('ends only the session of the browser that logs out', async () => {
    const leaving = new Browser(server.http);
    const staying = new Browser(server.http);
    await login(leaving, 'akadmin', ADMIN_PASSWORD);
    await login(staying, 'akadmin', ADMIN_PASSWORD);
    await leaving.get(LOGOUT);
    expect((await leaving.get('/api/v3/core/users/me/')).status).toBe(401);
    expect((await staying.get('/api/v3/core/users/me/')).status).toBe(200);
  });

  it('without a session: the cookie is still cleared, and no event is written', async () => {
    const before = (await logoutEvents()).length;
    const browser = new Browser(server.http);
    browser.setCookie('idp_session', 'not-a-real-token');
    const out = await browser.get(LOGOUT);
    expect(out.body.component).toBe('xak-flow-redirect');
    expect(setCookieLine(out, 'idp_session')).toMatch(/Max-Age=0/);
    expect(await logoutEvents()).toHaveLength(before);
  });
});
