// session_idle_timeout and max_sessions / on_limit (docs/api.md, Lifetimes), end to end over HTTP
// against the real PostgreSQL, with the test clock instead of sleeps.
import { hashToken } from '@idp/core';
import { SessionTerminationHooks, type SessionTerminated } from '@idp/user-login';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HousekeepingService } from '../apps/identity-server/src/housekeeping/housekeeping.service.js';
import { createUser, patchDefaultLoginStage } from './support/admin-api.js';
import { Browser, login } from './support/http.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const ME = '/api/v3/core/users/me/';
const FLOW = '/api/v3/flows/executor/default-authentication-flow/';
const PASSWORD = 'limits-password-1';
const MINUTE = 60_000;

describe('idle timeout and session limits (Fastify, real Postgres)', () => {
  let server: TestServer;
  let heard: SessionTerminated[] = [];
  let users = 0;

  beforeAll(async () => {
    server = await startTestServer();
    server.app.get(SessionTerminationHooks).subscribe((event) => void heard.push(event));
  });
  afterAll(async () => {
    await server?.close();
  });
  beforeEach(async () => {
    heard = [];
    await patchDefaultLoginStage(server, {
      session_duration: 'hours=12',
      session_idle_timeout: 'seconds=0',
      max_sessions: 0,
      on_limit: 'evict_oldest',
      terminate_other_sessions: false,
    });
  });

  async function newUser(): Promise<{ pk: number; username: string }> {
    const username = `limits-${++users}`;
    return { pk: await createUser(server, username, PASSWORD), username };
  }
  async function signIn(username: string): Promise<{ browser: Browser; component: string; uuid?: string }> {
    const browser = new Browser(server.http);
    const response = await login(browser, username, PASSWORD);
    const token = browser.cookie('idp_session');
    const uuid = token
      ? (await server.db.query('SELECT uuid FROM sessions WHERE token_hash = $1', [hashToken(token)])).rows[0]?.uuid
      : undefined;
    return { browser, component: response.body.component, uuid };
  }
  const sessionsOf = async (pk: number) =>
    (await server.db.query('SELECT uuid, idle_expires, last_used FROM sessions WHERE user_pk = $1', [pk])).rows;
  const idleExpires = async (uuid: string) =>
    (await server.db.query('SELECT idle_expires FROM sessions WHERE uuid = $1', [uuid])).rows[0]?.idle_expires;

  describe('session_idle_timeout', () => {
    it('off (default): a timed session is not ended by hours without use', async () => {
      const { username } = await newUser();
      const { browser, uuid } = await signIn(username);
      expect(await idleExpires(uuid!)).toBeNull();
      server.clock.advance(11 * 60 * MINUTE);
      expect((await browser.get(ME)).status).toBe(200);
    });

    it('ends a session unused for longer than the timeout, whatever its absolute expiry; use renews it', async () => {
      await patchDefaultLoginStage(server, { session_idle_timeout: 'minutes=10' });
      const { username } = await newUser();
      const { browser, uuid } = await signIn(username);
      const first = (await idleExpires(uuid!)) as Date;

      // used every 9 minutes: it lives on, and each use moves the idle end
      for (let i = 1; i <= 3; i += 1) {
        server.clock.advance(9 * MINUTE);
        expect((await browser.get(ME)).status).toBe(200);
      }
      const renewed = (await idleExpires(uuid!)) as Date;
      expect(renewed.getTime() - first.getTime()).toBeGreaterThanOrEqual(27 * MINUTE - 1000);

      // a second use within the minute writes nothing
      server.clock.advance(30_000);
      expect((await browser.get(ME)).status).toBe(200);
      expect(await idleExpires(uuid!)).toEqual(renewed);

      // then 10 minutes of nothing: 401, like an expired session, while the absolute expiry is hours away
      server.clock.advance(10 * MINUTE);
      const after = await browser.get(ME);
      expect(after.status).toBe(401);
      const row = (await server.db.query('SELECT expires FROM sessions WHERE uuid = $1', [uuid])).rows[0];
      expect(row.expires.getTime()).toBeGreaterThan(server.clock.now().getTime() + 60 * MINUTE);

      // the sessions API no longer lists it, and housekeeping removes the row
      const report = await server.app.get(HousekeepingService).runOnce();
      expect(report.sessions).toBeGreaterThanOrEqual(1);
      expect((await server.db.query('SELECT 1 FROM sessions WHERE uuid = $1', [uuid])).rowCount).toBe(0);
    });

    it('an idle-expired session is gone from the sessions API before housekeeping runs', async () => {
      await patchDefaultLoginStage(server, { session_idle_timeout: 'minutes=5' });
      const { username } = await newUser();
      const watcher = await signIn(username);
      const { uuid } = await signIn(username);
      server.clock.advance(4 * MINUTE);
      expect((await watcher.browser.get(ME)).status).toBe(200);
      server.clock.advance(2 * MINUTE);
      const list = await watcher.browser.get('/api/v3/core/authenticated_sessions/');
      expect(list.body.results.map((s: { uuid: string }) => s.uuid)).toEqual([watcher.uuid]);
      expect((await watcher.browser.get(`/api/v3/core/authenticated_sessions/${uuid}/`)).status).toBe(404);
      const mine = list.body.results[0];
      expect(new Date(mine.idle_expires).getTime()).toBe(((await idleExpires(watcher.uuid!)) as Date).getTime());
    });
  });

  describe('max_sessions', () => {
    it('0 (default): any number of sessions', async () => {
      const { pk, username } = await newUser();
      for (let i = 0; i < 4; i += 1) expect((await signIn(username)).component).toBe('xak-flow-redirect');
      expect(await sessionsOf(pk)).toHaveLength(4);
    });

    it('evict_oldest: the least recently used sessions end, each with a logout event', async () => {
      await patchDefaultLoginStage(server, { max_sessions: 2, on_limit: 'evict_oldest' });
      const { pk, username } = await newUser();
      const first = await signIn(username);
      server.clock.advance(MINUTE);
      const second = await signIn(username);
      // the first is used later than the second: the second is now the least recently used
      server.clock.advance(2 * MINUTE);
      expect((await first.browser.get(ME)).status).toBe(200);
      server.clock.advance(MINUTE);
      const third = await signIn(username);

      expect((await sessionsOf(pk)).map((s) => s.uuid).sort()).toEqual([first.uuid, third.uuid].sort());
      expect((await second.browser.get(ME)).status).toBe(401);
      expect((await first.browser.get(ME)).status).toBe(200);
      expect((await third.browser.get(ME)).status).toBe(200);
      const logouts = await server.db.query(
        `SELECT "user", context FROM events WHERE action = 'logout' AND "user"->>'username' = $1`,
        [username],
      );
      expect(logouts.rows).toHaveLength(1);
      expect(logouts.rows[0].context).toMatchObject({
        logout_reason: 'Session limit reached',
        session_uuid: second.uuid,
        replaced_by_session_uuid: third.uuid,
      });
      expect(heard).toEqual([{ sessionUuid: second.uuid, userPk: pk, reason: 'session_limit' }]);
      // The login that evicted says which session it ended; the earlier logins evicted nothing.
      const logins = await server.db.query(
        `SELECT app, context FROM events WHERE action = 'login' AND "user"->>'username' = $1 ORDER BY created`,
        [username],
      );
      expect(logins.rows.map((row) => row.context.evicted_session_uuids)).toEqual([
        undefined,
        undefined,
        [second.uuid],
      ]);
      expect(logins.rows[2].context).not.toHaveProperty('terminated_sessions');
      expect(logins.rows.map((row) => row.app)).toEqual(Array(3).fill('idp.user_login'));
    });

    it('deny: a login over the limit is refused with ak-stage-access-denied and creates no session', async () => {
      await patchDefaultLoginStage(server, { max_sessions: 1, on_limit: 'deny' });
      const { pk, username } = await newUser();
      const first = await signIn(username);
      const refused = await signIn(username);
      expect(refused.component).toBe('ak-stage-access-denied');
      expect(refused.browser.cookie('idp_session')).toBeUndefined();
      expect((await sessionsOf(pk)).map((s) => s.uuid)).toEqual([first.uuid]);
      expect((await first.browser.get(ME)).status).toBe(200);
      // once the first session ends, a login is allowed again
      await server.db.query('DELETE FROM sessions WHERE user_pk = $1', [pk]);
      expect((await signIn(username)).component).toBe('xak-flow-redirect');
    });

    it.each([
      ['evict_oldest', 2, 12],
      ['deny', 2, 2],
    ] as const)('%s: parallel logins never leave more than the limit (%i)', async (onLimit, max, successes) => {
      await patchDefaultLoginStage(server, { max_sessions: max, on_limit: onLimit });
      const { pk, username } = await newUser();
      // Twelve devices: from one IP, sign-in throttling counts each password in flight, and the
      // eleventh parallel try would be refused (LOGIN_THROTTLE allows 10 per user and IP).
      const browsers = Array.from({ length: 12 }, (_, i) =>
        Object.assign(new Browser(server.http), { forwardedFor: `203.0.113.${i + 1}` }),
      );
      for (const browser of browsers) {
        await browser.get(FLOW);
        await browser.post(FLOW, { component: 'ak-stage-identification', uid_field: username });
      }
      // Only the last step, which runs the login stage, is concurrent.
      const finished = await Promise.all(
        browsers.map((browser) => browser.post(FLOW, { component: 'ak-stage-password', password: PASSWORD })),
      );
      const components = finished.map((response) => response.body.component);
      expect(components.filter((c) => c === 'xak-flow-redirect')).toHaveLength(successes);
      expect(await sessionsOf(pk)).toHaveLength(max);
      const statuses = await Promise.all(browsers.map(async (browser) => (await browser.get(ME)).status));
      expect(statuses.filter((status) => status === 200)).toHaveLength(max);
    });
  });
});
