import { hashToken } from '@idp/core';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HousekeepingService } from '../apps/identity-server/src/housekeeping/housekeeping.service.js';
import { adminAuth, createUser, patchDefaultLoginStage } from './support/admin-api.js';
import { Browser, login, setCookieLine } from './support/http.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const PASSWORD = 'a-long-enough-passphrase';
const DEVICE = 'idp_device';
const DAY = 86_400_000;

describe('remember_device: known devices at login (Fastify, real Postgres)', () => {
  let server: TestServer;
  let n = 0;

  /** A browser behind the trusted proxy, posing as `ip`. */
  function browserAt(ip: string): Browser {
    const browser = new Browser(server.http);
    browser.forwardedFor = ip;
    return browser;
  }

  async function signIn(browser: Browser, username: string) {
    const done = await login(browser, username, PASSWORD);
    expect(done.body.component).toBe('xak-flow-redirect');
    return done;
  }

  async function lastLogin(username: string) {
    const rows = await server.db.query(
      `SELECT context FROM events WHERE action = 'login' AND "user"->>'username' = $1 ORDER BY created DESC LIMIT 1`,
      [username],
    );
    return rows.rows[0].context as { known_device: boolean; session_uuid: string };
  }

  async function newUser(): Promise<{ username: string; pk: number }> {
    const username = `device-${++n}`;
    return { username, pk: await createUser(server, username, PASSWORD) };
  }

  async function signOut(browser: Browser) {
    await browser.get('/api/v3/flows/executor/default-invalidation-flow/');
  }

  beforeAll(async () => {
    server = await startTestServer();
  });
  beforeEach(async () => {
    await patchDefaultLoginStage(server, { remember_device: 'days=30' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('the first login is a new device and sets an HttpOnly device cookie for remember_device, stored hashed', async () => {
    const { username, pk } = await newUser();
    const browser = browserAt('203.0.113.10');
    const done = await signIn(browser, username);
    expect((await lastLogin(username)).known_device).toBe(false);
    const line = setCookieLine(done, DEVICE)!;
    expect(line).toMatch(
      /^idp_device=[A-Za-z0-9_-]{43}; Max-Age=2592000; Path=\/; Expires=.+; HttpOnly; SameSite=Lax$/,
    );
    const token = browser.cookie(DEVICE)!;
    const rows = await server.db.query('SELECT token_hash, user_agent FROM devices WHERE user_pk = $1', [pk]);
    expect(rows.rows).toEqual([{ token_hash: hashToken(token), user_agent: browser.userAgent }]);
  });

  it('known_device for: same browser (new IP), new browser on the IP of a live session; not for a new browser on a new IP', async () => {
    const { username } = await newUser();
    const first = browserAt('203.0.113.20');
    await signIn(first, username);
    expect((await lastLogin(username)).known_device).toBe(false);

    // The same browser signs out (no live session left) and comes back from elsewhere: its cookie.
    await signOut(first);
    first.forwardedFor = '198.51.100.7';
    await signIn(first, username);
    expect((await lastLogin(username)).known_device).toBe(true);

    // A new browser where the user has a live session (198.51.100.7): the IP rule.
    await signIn(browserAt('198.51.100.7'), username);
    expect((await lastLogin(username)).known_device).toBe(true);

    // A new browser from a new IP.
    await signIn(browserAt('192.0.2.99'), username);
    expect((await lastLogin(username)).known_device).toBe(false);
  });

  it('a device cookie issued to another user does not make a known device, and a new one is issued', async () => {
    const alice = await newUser();
    const bob = await newUser();
    const browser = browserAt('203.0.113.30');
    await signIn(browser, alice.username);
    const alicesToken = browser.cookie(DEVICE)!;
    await signOut(browser);
    browser.forwardedFor = '203.0.113.31';
    await signIn(browser, bob.username);
    expect((await lastLogin(bob.username)).known_device).toBe(false);
    expect(browser.cookie(DEVICE)).not.toBe(alicesToken);
    const owners = await server.db.query('SELECT user_pk FROM devices WHERE token_hash = $1', [
      hashToken(browser.cookie(DEVICE)!),
    ]);
    expect(owners.rows).toEqual([{ user_pk: bob.pk }]);
  });

  it('renews the device on a known login (same token, later expiry); an expired device is not known', async () => {
    const { username, pk } = await newUser();
    const browser = browserAt('203.0.113.40');
    await signIn(browser, username);
    const token = browser.cookie(DEVICE)!;
    const before = (await server.db.query('SELECT expires FROM devices WHERE user_pk = $1', [pk])).rows[0].expires;
    await signOut(browser);
    server.clock.advance(DAY);
    browser.forwardedFor = '203.0.113.41';
    await signIn(browser, username);
    expect((await lastLogin(username)).known_device).toBe(true);
    expect(browser.cookie(DEVICE)).toBe(token);
    const after = (await server.db.query('SELECT expires FROM devices WHERE user_pk = $1', [pk])).rows;
    expect(after).toHaveLength(1);
    // The test clock also runs in real time: a day later, plus the seconds the test took.
    expect(after[0].expires.getTime() - before.getTime()).toBeGreaterThanOrEqual(DAY);
    expect(after[0].expires.getTime() - before.getTime()).toBeLessThan(DAY + 60_000);

    await signOut(browser);
    server.clock.advance(31 * DAY);
    browser.forwardedFor = '203.0.113.42';
    await signIn(browser, username);
    expect((await lastLogin(username)).known_device).toBe(false);
  });

  it('remember_device=seconds=0 sets no device cookie; the IP rule still marks known devices', async () => {
    await patchDefaultLoginStage(server, { remember_device: 'seconds=0' });
    const { username, pk } = await newUser();
    const done = await signIn(browserAt('203.0.113.50'), username);
    expect(setCookieLine(done, DEVICE)).toBeUndefined();
    expect((await server.db.query('SELECT 1 FROM devices WHERE user_pk = $1', [pk])).rowCount).toBe(0);
    await signIn(browserAt('203.0.113.50'), username);
    expect((await lastLogin(username)).known_device).toBe(true);
  });

  it('the sessions API says known_device per session', async () => {
    const { username } = await newUser();
    const first = browserAt('203.0.113.60');
    await signIn(first, username);
    await signIn(browserAt('203.0.113.60'), username);
    const listed = await first.get('/api/v3/core/authenticated_sessions/');
    const flags = listed.body.results.map((s: { known_device: boolean }) => s.known_device).sort();
    expect(flags).toEqual([false, true]);
  });

  it('deactivating a user forgets its devices', async () => {
    const { username, pk } = await newUser();
    await signIn(browserAt('203.0.113.70'), username);
    expect((await server.db.query('SELECT 1 FROM devices WHERE user_pk = $1', [pk])).rowCount).toBe(1);
    const patched = await request(server.http)
      .patch(`/api/v3/core/users/${pk}/`)
      .set(adminAuth())
      .send({ is_active: false });
    expect(patched.status).toBe(200);
    expect((await server.db.query('SELECT 1 FROM devices WHERE user_pk = $1', [pk])).rowCount).toBe(0);
  });

  it('housekeeping deletes expired devices and keeps live ones', async () => {
    const { username, pk } = await newUser();
    await signIn(browserAt('203.0.113.80'), username);
    await server.db.query(
      `INSERT INTO devices (token_hash, user_pk, created, last_used, expires)
       VALUES ('expired-device', $1, now() - interval '40 days', now() - interval '40 days', now() - interval '10 days')`,
      [pk],
    );
    const report = await server.app.get(HousekeepingService).runOnce();
    expect(report.devices).toBeGreaterThanOrEqual(1);
    const left = await server.db.query('SELECT token_hash FROM devices WHERE user_pk = $1', [pk]);
    expect(left.rows.map((row: { token_hash: string }) => row.token_hash)).not.toContain('expired-device');
    expect(left.rowCount).toBe(1);
  });

  it('refuses a negative or malformed remember_device, naming the field', async () => {
    const stage = await request(server.http)
      .get('/api/v3/stages/user_login/?name=default-authentication-login')
      .set(adminAuth());
    const pk = stage.body.results[0].pk;
    for (const value of ['days=-1', 'days', 42]) {
      const refused = await request(server.http)
        .patch(`/api/v3/stages/user_login/${pk}/`)
        .set(adminAuth())
        .send({ remember_device: value });
      expect(refused.status).toBe(400);
      expect(Object.keys(refused.body)).toEqual(['remember_device']);
    }
    const bad = await request(server.http)
      .patch(`/api/v3/stages/user_login/${pk}/`)
      .set(adminAuth())
      .send({ device_bound_sessions: 'always' });
    expect(bad.status).toBe(400);
    expect(bad.body.device_bound_sessions[0]).toContain('off, prefer');
  });
});
