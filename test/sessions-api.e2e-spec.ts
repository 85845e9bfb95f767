import { hashToken } from '@idp/core';
import { SessionTerminationHooks, type SessionTerminated } from '@idp/user-login';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { asnRecord, cityRecord, writeAsnDb, writeCityDb } from './fixtures/geoip-fixtures.js';
import { Browser, login } from './support/http.js';
import { ADMIN_PASSWORD, ADMIN_TOKEN, startTestServer, type TestServer } from './support/test-server.js';
import { createUser as createTestUser } from './support/admin-api.js';

const API = '/api/v3/core/authenticated_sessions/';
const ME = '/api/v3/core/users/me/';
const PASSWORD = 'a-long-enough-passphrase';
const FIREFOX = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0';

interface Listed {
  uuid: string;
  current: boolean;
  /** The owner's pk, as in authentik; the owner itself is `user_obj`. */
  user: number;
  user_obj: { pk: number; username: string };
  last_ip: string;
  last_user_agent: string;
  user_agent: { browser: { family: string }; os: { family: string } };
  last_used: string;
  expires: string;
  geo_ip: unknown;
  asn: unknown;
}

const admin = () => ({ Authorization: `Bearer ${ADMIN_TOKEN}` });

describe('authenticated sessions API: self-service and admin (Fastify, real Postgres)', () => {
  let server: TestServer;
  let geoDir: string;
  let adminPk: number;
  const heard: SessionTerminated[] = [];
  let unsubscribe: () => void;

  const createUser = (username: string) => createTestUser(server, username, PASSWORD);

  async function signedIn(username: string, ip: string, userAgent?: string, password = PASSWORD): Promise<Browser> {
    const browser = new Browser(server.http);
    browser.forwardedFor = ip;
    if (userAgent) browser.userAgent = userAgent;
    expect((await login(browser, username, password)).body.component).toBe('xak-flow-redirect');
    return browser;
  }

  async function uuidOf(browser: Browser): Promise<string> {
    const { rows } = await server.db.query('SELECT uuid FROM sessions WHERE token_hash = $1', [
      hashToken(browser.cookie('idp_session')!),
    ]);
    return rows[0].uuid;
  }

  async function sessionCount(userPk: number): Promise<number> {
    return (await server.db.query('SELECT 1 FROM sessions WHERE user_pk = $1', [userPk])).rowCount ?? 0;
  }

  const list = (query: string) => request(server.http).get(`${API}?${query}`).set(admin());

  async function logoutEventsFor(sessionUuid: string) {
    const { rows } = await server.db.query(
      `SELECT "user", context, client_ip FROM events WHERE action = 'logout' AND context->>'session_uuid' = $1`,
      [sessionUuid],
    );
    return rows as Array<{ user: { pk: number; username: string }; context: Record<string, any>; client_ip: string }>;
  }

  beforeAll(async () => {
    // 203.0.113.0/24 is known to both databases, 198.51.100.0/24 to neither.
    geoDir = await mkdtemp(join(tmpdir(), 'idp-sessions-api-'));
    const city = writeCityDb(join(geoDir, 'city.mmdb'), [
      ['203.0.113.0/24', cityRecord({ continent: 'EU', country: 'DE', city: 'Berlin', lat: 52.52, long: 13.405 })],
    ]);
    const asn = writeAsnDb(join(geoDir, 'asn.mmdb'), [['203.0.113.0/24', asnRecord(64500, 'Example Net')]]);
    server = await startTestServer({ env: { GEOIP_CITY_DB: city, GEOIP_ASN_DB: asn } });
    adminPk = (await server.db.query(`SELECT pk FROM users WHERE username = 'akadmin'`)).rows[0].pk;
    unsubscribe = server.app.get(SessionTerminationHooks).subscribe((event) => void heard.push(event));
  });
  afterEach(() => {
    heard.length = 0;
  });
  afterAll(async () => {
    unsubscribe?.();
    await server?.close();
    await rm(geoDir, { recursive: true, force: true });
  });

  describe('a signed-in user', () => {
    it('lists only their own sessions, marks the current one and parses the user agent', async () => {
      const alicePk = await createUser('alice');
      await createUser('bob');
      const laptop = await signedIn('alice', '203.0.113.10');
      await signedIn('alice', '203.0.113.11', FIREFOX);
      await signedIn('bob', '203.0.113.12');

      const listed = await laptop.get(API);
      expect(listed.status).toBe(200);
      expect(listed.body.pagination.count).toBe(2);
      const results = listed.body.results as Listed[];
      expect(results.every((row) => row.user === alicePk && row.user_obj.pk === alicePk)).toBe(true);
      expect(results.filter((row) => row.current).map((row) => row.uuid)).toEqual([await uuidOf(laptop)]);
      const firefox = results.find((row) => row.last_ip === '203.0.113.11')!;
      expect(firefox.last_user_agent).toBe(FIREFOX);
      expect(firefox.user_agent.browser.family).toBe('Firefox');
      expect(firefox.user_agent.os.family).toBe('macOS');
      expect(firefox.geo_ip).toMatchObject({ continent: 'EU', country: 'DE', city: 'Berlin' });
      expect(firefox.asn).toMatchObject({ asn: 64500, as_org: 'Example Net', network: '203.0.113.0/24' });
      expect(new Date(firefox.last_used).getTime()).toBeLessThanOrEqual(new Date(firefox.expires).getTime());

      // Filtering by someone else's name narrows their own list; it never widens it.
      const bobs = await laptop.get(`${API}?user__username=bob`);
      expect(bobs.body.pagination.count).toBe(0);
    });

    it("gets a 404 for another user's session on get and delete, and the session stays", async () => {
      await createUser('carol');
      const davePk = await createUser('dave');
      const carol = await signedIn('carol', '203.0.113.20');
      const dave = await signedIn('dave', '203.0.113.21');
      const daveSession = await uuidOf(dave);

      expect((await carol.get(`${API}${daveSession}/`)).status).toBe(404);
      const removed = await carol.delete(`${API}${daveSession}/`);
      expect(removed.status).toBe(404);
      expect(removed.body).toEqual({ detail: 'Not found.' });
      expect(await sessionCount(davePk)).toBe(1);
      expect((await dave.get(ME)).status).toBe(200);
      expect(heard).toEqual([]);
      expect((await carol.get(`${API}${await uuidOf(carol)}/`)).body.current).toBe(true);
    });

    it('revokes one of their own sessions: 204, its cookie stops working, a logout event names the owner as revoker', async () => {
      const erinPk = await createUser('erin');
      const phone = await signedIn('erin', '203.0.113.30');
      const desktop = await signedIn('erin', '203.0.113.31');
      const desktopSession = await uuidOf(desktop);

      expect((await phone.delete(`${API}${desktopSession}/`)).status).toBe(204);
      expect((await desktop.get(ME)).status).toBe(401);
      expect((await phone.get(ME)).status).toBe(200);
      expect(await sessionCount(erinPk)).toBe(1);
      const [event] = await logoutEventsFor(desktopSession);
      expect(event.user).toMatchObject({ pk: erinPk, username: 'erin' });
      expect(event.context).toMatchObject({
        logout_reason: 'Session revoked by its user',
        revoked_by: { pk: erinPk, username: 'erin' },
      });
      expect(event.client_ip).toBe('203.0.113.30');
      expect(heard).toEqual([{ sessionUuid: desktopSession, userPk: erinPk, reason: 'revoked_by_user' }]);
      expect((await phone.delete(`${API}${desktopSession}/`)).status).toBe(404);
    });

    it('ends all but the current session with bulk_delete?keep_current=true, and cannot reach other users', async () => {
      const frankPk = await createUser('frank');
      const gracePk = await createUser('grace');
      const current = await signedIn('frank', '203.0.113.40');
      const others = [await signedIn('frank', '203.0.113.41'), await signedIn('frank', '203.0.113.42')];
      await signedIn('grace', '203.0.113.43');
      const otherUuids = await Promise.all(others.map(uuidOf));

      const answer = await current.delete(`${API}bulk_delete/?keep_current=true&user_pks=${frankPk},${gracePk}`);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ deleted: 2 });
      expect((await current.get(ME)).status).toBe(200);
      for (const browser of others) expect((await browser.get(ME)).status).toBe(401);
      expect(await sessionCount(frankPk)).toBe(1);
      expect(await sessionCount(gracePk)).toBe(1);
      expect(heard.map((event) => event.sessionUuid).toSorted()).toEqual(otherUuids.toSorted());
      for (const uuid of otherUuids) {
        const events = await logoutEventsFor(uuid);
        expect(events).toHaveLength(1);
        expect(events[0].context.revoked_by.username).toBe('frank');
      }

      expect((await current.delete(`${API}bulk_delete/?keep_current=true`)).body).toEqual({ deleted: 0 });
      const bad = await current.delete(`${API}bulk_delete/?keep_current=maybe`);
      expect(bad.status).toBe(400);
      expect(bad.body.keep_current[0]).toContain('boolean');
    });

    it('refuses keep_current with a bearer token, which has no current session', async () => {
      const answer = await request(server.http).delete(`${API}bulk_delete/?keep_current=true`).set(admin());
      expect(answer.status).toBe(400);
      expect(answer.body.keep_current[0]).toContain('session cookie');
    });
  });

  describe('an admin', () => {
    it("revokes another user's session: the event's user is the owner, revoked_by the admin", async () => {
      const heidiPk = await createUser('heidi');
      const heidi = await signedIn('heidi', '203.0.113.50');
      const heidiSession = await uuidOf(heidi);
      const adminBrowser = await signedIn('akadmin', '203.0.113.51', undefined, ADMIN_PASSWORD);

      expect((await adminBrowser.get(`${API}${heidiSession}/`)).body).toMatchObject({
        uuid: heidiSession,
        current: false,
        user: heidiPk,
        user_obj: { username: 'heidi' },
      });
      expect((await adminBrowser.delete(`${API}${heidiSession}/`)).status).toBe(204);
      expect((await heidi.get(ME)).status).toBe(401);
      const [event] = await logoutEventsFor(heidiSession);
      expect(event.user).toMatchObject({ pk: heidiPk, username: 'heidi' });
      expect(event.context).toMatchObject({
        logout_reason: 'Session revoked by an administrator',
        revoked_by: { pk: adminPk, username: 'akadmin' },
      });
      expect(heard).toEqual([{ sessionUuid: heidiSession, userPk: heidiPk, reason: 'revoked_by_admin' }]);
    });

    it('bulk_delete by user_pks ends every session of those users and counts them', async () => {
      const ivanPk = await createUser('ivan');
      const judyPk = await createUser('judy');
      const mallory = await createUser('mallory');
      for (let i = 0; i < 3; i++) await signedIn('ivan', `203.0.113.6${i}`);
      for (let i = 0; i < 2; i++) await signedIn('judy', `203.0.113.7${i}`);
      await signedIn('mallory', '203.0.113.80');

      const answer = await request(server.http).delete(`${API}bulk_delete/?user_pks=${ivanPk},${judyPk}`).set(admin());
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ deleted: 5 });
      expect(await sessionCount(ivanPk)).toBe(0);
      expect(await sessionCount(judyPk)).toBe(0);
      expect(await sessionCount(mallory)).toBe(1);
      expect(heard).toHaveLength(5);
      expect(new Set(heard.map((event) => event.userPk))).toEqual(new Set([ivanPk, judyPk]));
      const events = await server.db.query(
        `SELECT "user" FROM events WHERE action = 'logout' AND context->'revoked_by'->>'username' = 'akadmin' AND "user"->>'username' IN ('ivan', 'judy')`,
      );
      expect(events.rowCount).toBe(5);

      expect((await request(server.http).delete(`${API}bulk_delete/?user_pks=${ivanPk}`).set(admin())).body).toEqual({
        deleted: 0,
      });
      const bad = await request(server.http).delete(`${API}bulk_delete/?user_pks=1,abc`).set(admin());
      expect(bad.status).toBe(400);
      expect(bad.body.user_pks[0]).toContain('comma-separated');
    });

    it('filters by user__username and last_ip, searches, and orders; a bad ordering is a 400', async () => {
      await createUser('oscar');
      await signedIn('oscar', '198.51.100.3');
      await signedIn('oscar', '198.51.100.1', FIREFOX);
      await signedIn('oscar', '198.51.100.2');
      const byName = await list('user__username=oscar&ordering=last_ip');
      expect(byName.body.results.map((row: Listed) => row.last_ip)).toEqual([
        '198.51.100.1',
        '198.51.100.2',
        '198.51.100.3',
      ]);
      const reversed = await list('user__username=oscar&ordering=-last_ip');
      expect(reversed.body.results.map((row: Listed) => row.last_ip)).toEqual([
        '198.51.100.3',
        '198.51.100.2',
        '198.51.100.1',
      ]);

      const byIp = await list('last_ip=198.51.100.2');
      expect(byIp.body.pagination.count).toBe(1);
      expect(byIp.body.results[0]).toMatchObject({ user_obj: { username: 'oscar' }, geo_ip: null, asn: null });

      const search = await list('search=firefox&user__username=oscar');
      expect(search.body.results.map((row: Listed) => row.last_ip)).toEqual(['198.51.100.1']);
      expect((await list('search=SCA')).body.results.map((row: Listed) => row.user_obj.username)).toEqual([
        'oscar',
        'oscar',
        'oscar',
      ]);
      // The search text is literal: a % is not a wildcard.
      expect((await list('search=%25')).body.pagination.count).toBe(0);

      const bad = await list('ordering=password');
      expect(bad.status).toBe(400);
      expect(bad.body.ordering[0]).toContain('last_used');
    });

    it('answers 404 for a session past its expiry or idle timeout that housekeeping has not deleted yet', async () => {
      const peggyPk = await createUser('peggy');
      const expired = await uuidOf(await signedIn('peggy', '203.0.113.80'));
      const idle = await uuidOf(await signedIn('peggy', '203.0.113.81'));
      const live = await uuidOf(await signedIn('peggy', '203.0.113.82'));
      await server.db.query(`UPDATE sessions SET expires = now() - interval '1 minute' WHERE uuid = $1`, [expired]);
      await server.db.query(`UPDATE sessions SET idle_expires = now() - interval '1 minute' WHERE uuid = $1`, [idle]);

      for (const uuid of [expired, idle]) {
        const read = await request(server.http).get(`${API}${uuid}/`).set(admin());
        expect(read.status).toBe(404);
        expect(read.body).toEqual({ detail: 'Not found.' });
        expect((await request(server.http).delete(`${API}${uuid}/`).set(admin())).status).toBe(404);
      }
      expect((await request(server.http).get(`${API}${live}/`).set(admin())).body.uuid).toBe(live);
      // Still there for housekeeping to delete: the API only stops showing them.
      expect(await sessionCount(peggyPk)).toBe(3);
      expect(heard).toEqual([]);
    });

    it('answers a malformed uuid with 404, not 500', async () => {
      for (const path of [`${API}not-a-uuid/`, `${API}12345678-1234-1234-1234-1234567890zz/`]) {
        expect((await request(server.http).get(path).set(admin())).status).toBe(404);
        expect((await request(server.http).delete(path).set(admin())).status).toBe(404);
      }
      expect((await request(server.http).get(`${API}00000000-0000-4000-8000-000000000000/`).set(admin())).status).toBe(
        404,
      );
    });
  });
  describe('ending the session a request came with', () => {
    it("clears that browser's cookie, for one session and for a bulk delete without keep_current", async () => {
      await createUser('frankie');
      for (const endpoint of ['one', 'bulk'] as const) {
        const browser = await signedIn('frankie', '192.0.2.44');
        const [own] = (await browser.get(API)).body.results.filter((s: Listed) => s.current);
        const response =
          endpoint === 'one' ? await browser.delete(`${API}${own.uuid}/`) : await browser.delete(`${API}bulk_delete/`);
        expect(response.status).toBeLessThan(300);
        expect(String(response.headers['set-cookie'])).toMatch(/idp_session=;.*Max-Age=0/i);
        expect(browser.cookie('idp_session')).toBeUndefined();
        expect((await server.db.query('SELECT 1 FROM sessions WHERE uuid = $1', [own.uuid])).rowCount).toBe(0);
      }
    });

    it('keeps the cookie when another session is ended', async () => {
      await createUser('frankie-keeps');
      const first = await signedIn('frankie-keeps', '192.0.2.45');
      const second = await signedIn('frankie-keeps', '192.0.2.46');
      const other = (await first.get(API)).body.results.find((s: Listed) => !s.current);
      const response = await first.delete(`${API}${other.uuid}/`);
      expect(response.status).toBe(204);
      expect(response.headers['set-cookie']).toBeUndefined();
      expect((await first.get(ME)).status).toBe(200);
      expect((await second.get(ME)).status).toBe(401);
    });
  });
});
