// Promises of the session check that other suites reach only indirectly: a user deactivated
// outside the API, the login event's geo/asn, a session that moves on an admin route (cookie
// authentication through ApiAuthGuard), and the cleared cookie's Path after a break.
import { hashToken } from '@idp/core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASN_OF, geoOf, IP, writeBindingDatabases } from './fixtures/session-binding-fixtures.js';
import { createUser, patchDefaultLoginStage } from './support/admin-api.js';
import { Browser, login, setCookieLine } from './support/http.js';
import { SessionCache } from '../libs/user-login/src/session-cache/session-cache.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from './support/test-server.js';

const ME = '/api/v3/core/users/me/';
const STAGES = '/api/v3/stages/user_login/';
const PASSWORD = 'session-check-password';

describe('the session check (Fastify, real Postgres, generated GeoIP/ASN databases)', () => {
  let server: TestServer;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idp-session-check-'));
    server = await startTestServer({ env: writeBindingDatabases(dir) });
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function signedIn(username: string, password: string, ip: string): Promise<Browser> {
    const browser = new Browser(server.http);
    browser.forwardedFor = ip;
    expect((await login(browser, username, password)).body.component).toBe('xak-flow-redirect');
    return browser;
  }

  const sessionOf = async (browser: Browser) =>
    (
      await server.db.query('SELECT uuid, last_ip FROM sessions WHERE token_hash = $1', [
        hashToken(browser.cookie('idp_session')!),
      ])
    ).rows[0] as { uuid: string; last_ip: string } | undefined;

  // A change made by SQL reaches the server's session cache through NOTIFY, which a loaded
  // machine can delay: wait until the cached copy is gone before the next request.
  const cacheDropped = async (uuid: string) => {
    const cache = server.app.get(SessionCache);
    for (const deadline = Date.now() + 10_000; cache.holds(uuid) && Date.now() < deadline;)
      await new Promise((resolve) => setTimeout(resolve, 20));
  };

  it('refuses the session of a user deactivated in the database (not through the API), whose row is still there', async () => {
    const pk = await createUser(server, 'inactive-in-db', PASSWORD);
    const browser = await signedIn('inactive-in-db', PASSWORD, IP.netA1);
    expect((await browser.get(ME)).status).toBe(200);

    // As an LDAP sync or a direct SQL change would: the sessions are not deleted.
    const session = await sessionOf(browser);
    expect(session).toBeDefined();
    await server.db.query('UPDATE users SET is_active = false WHERE pk = $1', [pk]);
    await cacheDropped(session!.uuid);
    for (const path of [ME, '/api/v3/core/authenticated_sessions/']) {
      const refused = await browser.get(path);
      expect(refused.status, path).toBe(401);
      expect(refused.body.code).toBe('not_authenticated');
    }

    // The same row works again once the user is active: the refusal was the user's state, nothing else.
    await server.db.query('UPDATE users SET is_active = true WHERE pk = $1', [pk]);
    await cacheDropped(session!.uuid);
    expect((await browser.get(ME)).status).toBe(200);
  });

  it("writes the login event's geo and asn from the databases, and leaves them out for an unknown address", async () => {
    await createUser(server, 'geo-login', PASSWORD);
    const known = await signedIn('geo-login', PASSWORD, IP.netA1);
    const unknown = await signedIn('geo-login', PASSWORD, IP.unknown);
    const loginEvent = async (browser: Browser) => {
      const { rows } = await server.db.query(
        `SELECT context, client_ip FROM events WHERE action = 'login' AND context->>'session_uuid' = $1`,
        [(await sessionOf(browser))!.uuid],
      );
      expect(rows).toHaveLength(1);
      return rows[0] as { context: Record<string, unknown>; client_ip: string };
    };

    const berlin = await loginEvent(known);
    expect(berlin.client_ip).toBe(IP.netA1);
    expect(berlin.context.geo).toEqual(geoOf(IP.netA1));
    expect(berlin.context.asn).toEqual(ASN_OF[IP.netA1]);

    const nowhere = await loginEvent(unknown);
    expect(nowhere.client_ip).toBe(IP.unknown);
    expect(nowhere.context).not.toHaveProperty('geo');
    expect(nowhere.context).not.toHaveProperty('asn');
  });

  describe('a superuser whose session moves off its network', () => {
    beforeAll(async () => {
      await patchDefaultLoginStage(server, { network_binding: 'bind_asn_network_ip', geoip_binding: 'no_binding' });
    });
    afterAll(async () => {
      await patchDefaultLoginStage(server, { network_binding: 'no_binding', geoip_binding: 'no_binding' });
    });

    it('is ended on an admin route (cookie through ApiAuthGuard): 401, row gone, one logout event, cookie cleared at Path=/', async () => {
      const admin = await signedIn('akadmin', ADMIN_PASSWORD, IP.netA1);
      expect((await admin.get(STAGES)).status).toBe(200);
      const { uuid } = (await sessionOf(admin))!;
      const token = admin.cookie('idp_session')!;

      admin.forwardedFor = IP.netA1b;
      const moved = await admin.get(STAGES, { Accept: 'application/json' });
      expect(moved.status).toBe(401);
      expect(moved.body).toEqual({ detail: 'Session binding broken', code: 'session_binding_broken' });
      const cleared = setCookieLine(moved, 'idp_session')!;
      expect(cleared.split('; ')).toEqual(expect.arrayContaining(['idp_session=', 'Max-Age=0', 'Path=/']));

      expect((await server.db.query('SELECT 1 FROM sessions WHERE uuid = $1', [uuid])).rowCount).toBe(0);
      const events = await server.db.query(
        `SELECT context FROM events WHERE action = 'logout' AND context->>'session_uuid' = $1`,
        [uuid],
      );
      expect(events.rows).toHaveLength(1);
      expect(events.rows[0].context.binding.reason).toBe('network.ip');
      expect(events.rows[0].context.http_request.path).toBe(STAGES);

      // The old cookie is dead on the admin routes from the original address too.
      const again = await request(server.http)
        .get(STAGES)
        .set('X-Forwarded-For', IP.netA1)
        .set('Cookie', `idp_session=${token}`);
      expect(again.status).toBe(401);
    });

    it('clears the cookie at Path=/ when the break is seen on users/me, for a browser navigation too', async () => {
      for (const accept of ['application/json', 'text/html']) {
        const admin = await signedIn('akadmin', ADMIN_PASSWORD, IP.netA1);
        admin.forwardedFor = IP.netA2;
        const moved = await admin.get(ME, { Accept: accept });
        expect(moved.status, accept).toBe(accept === 'text/html' ? 302 : 401);
        const cleared = setCookieLine(moved, 'idp_session')!;
        expect(cleared.split('; '), accept).toEqual(expect.arrayContaining(['idp_session=', 'Max-Age=0', 'Path=/']));
      }
    });
  });
});
