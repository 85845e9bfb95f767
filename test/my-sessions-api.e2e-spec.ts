import { hashToken } from '@idp/core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminAuth, createUser } from './support/admin-api.js';
import { Browser, login } from './support/http.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from './support/test-server.js';

const API = '/api/v3/core/authenticated_sessions/';
const PASSWORD = 'a-long-enough-passphrase';

/**
 * "My sessions" for a superuser: `?mine=true` lists the caller's own sessions only, so the page
 * never shows (and offers to end) other people's, and "end all others" ends exactly what it listed.
 */
describe('authenticated sessions API: mine=true (Fastify, real Postgres)', () => {
  let server: TestServer;
  let adminPk: number;
  let otherPk: number;

  async function signedIn(username: string, password: string, ip: string): Promise<Browser> {
    const browser = new Browser(server.http);
    browser.forwardedFor = ip;
    expect((await login(browser, username, password)).body.component).toBe('xak-flow-redirect');
    return browser;
  }

  async function uuidOf(browser: Browser): Promise<string> {
    const { rows } = await server.db.query('SELECT uuid FROM sessions WHERE token_hash = $1', [
      hashToken(browser.cookie('idp_session')!),
    ]);
    return rows[0].uuid;
  }

  async function sessionsOf(userPk: number): Promise<string[]> {
    const { rows } = await server.db.query('SELECT uuid FROM sessions WHERE user_pk = $1 ORDER BY uuid', [userPk]);
    return rows.map((row: { uuid: string }) => row.uuid);
  }

  beforeAll(async () => {
    server = await startTestServer();
    adminPk = (await server.db.query(`SELECT pk FROM users WHERE username = 'akadmin'`)).rows[0].pk;
    otherPk = await createUser(server, 'olga', PASSWORD);
  });
  afterAll(async () => {
    await server?.close();
  });

  it("lists only a superuser's own sessions with mine=true, and everyone's without it", async () => {
    await server.db.query('DELETE FROM sessions');
    const desk = await signedIn('akadmin', ADMIN_PASSWORD, '192.0.2.1');
    const laptop = await signedIn('akadmin', ADMIN_PASSWORD, '192.0.2.2');
    for (const ip of ['192.0.2.10', '192.0.2.11', '192.0.2.12']) await signedIn('olga', PASSWORD, ip);

    const mine = await desk.get(`${API}?mine=true`);
    expect(mine.status).toBe(200);
    expect(mine.body.pagination.count).toBe(2);
    expect(mine.body.results.map((s: { user: number }) => s.user)).toEqual([adminPk, adminPk]);
    expect(new Set(mine.body.results.map((s: { uuid: string }) => s.uuid))).toEqual(
      new Set([await uuidOf(desk), await uuidOf(laptop)]),
    );
    // Filters still narrow within the caller's own sessions; they cannot widen them.
    const narrowed = await desk.get(`${API}?mine=true&user__username=olga`);
    expect(narrowed.body.pagination.count).toBe(0);

    expect((await desk.get(API)).body.pagination.count).toBe(5);
    expect((await desk.get(`${API}?mine=false`)).body.pagination.count).toBe(5);
    // A bearer token's caller is its owner: mine=true is that user's sessions.
    const token = await request(server.http).get(`${API}?mine=true`).set(adminAuth());
    expect(token.body.pagination.count).toBe(2);
  });

  it('means the same for a user who is not a superuser', async () => {
    const olga = await signedIn('olga', PASSWORD, '192.0.2.20');
    const mine = await olga.get(`${API}?mine=true&page_size=100`);
    expect(mine.body.results.every((s: { user: number }) => s.user === otherPk)).toBe(true);
    expect(mine.body.pagination.count).toBe((await sessionsOf(otherPk)).length);
  });

  it('refuses a mine value that is not a boolean', async () => {
    const olga = await signedIn('olga', PASSWORD, '192.0.2.21');
    const bad = await olga.get(`${API}?mine=maybe`);
    expect(bad.status).toBe(400);
    expect(bad.body.mine[0]).toContain('boolean');
  });

  it("ends exactly the superuser's own other sessions with keep_current, as many as mine=true listed", async () => {
    await server.db.query('DELETE FROM sessions');
    const desk = await signedIn('akadmin', ADMIN_PASSWORD, '192.0.2.1');
    await signedIn('akadmin', ADMIN_PASSWORD, '192.0.2.2');
    await signedIn('akadmin', ADMIN_PASSWORD, '192.0.2.3');
    for (const ip of ['192.0.2.10', '192.0.2.11']) await signedIn('olga', PASSWORD, ip);
    const olgaBefore = await sessionsOf(otherPk);

    const listed = (await desk.get(`${API}?mine=true`)).body.results as Array<{ current: boolean }>;
    const others = listed.filter((s) => !s.current).length;
    expect(others).toBe(2);
    const ended = await desk.delete(`${API}bulk_delete/?keep_current=true`);
    expect(ended.body).toEqual({ deleted: others });
    expect(await sessionsOf(adminPk)).toEqual([await uuidOf(desk)]);
    expect(await sessionsOf(otherPk)).toEqual(olgaBefore);
  });
});
