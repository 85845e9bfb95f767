// TerminateSessionsService's public verbs that the app itself does not call (terminateOthers,
// terminateAll), and the advisory lock that serialises logins of one user under
// terminate_other_sessions, shown deterministically: a second connection holds the lock and the
// login is seen waiting for it.
import { hashToken } from '@idp/core';
import { SessionTerminationHooks, TerminateSessionsService, type SessionTerminated } from '@idp/user-login';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createUser, patchDefaultLoginStage } from './support/admin-api.js';
import { Browser, login } from './support/http.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const FLOW = '/api/v3/flows/executor/default-authentication-flow/';
const ME = '/api/v3/core/users/me/';
const PASSWORD = 'terminate-service-password';
/** The lock's first key, as UserLoginStageService takes it (`pg_advisory_xact_lock(namespace, user pk)`). */
const USER_SESSIONS_LOCK = 0x1d9_5e55;

describe('TerminateSessionsService and the login lock (Fastify, real Postgres)', () => {
  let server: TestServer;
  let terminator: TerminateSessionsService;
  const heard: SessionTerminated[] = [];
  let unsubscribe: () => void;

  beforeAll(async () => {
    server = await startTestServer();
    terminator = server.app.get(TerminateSessionsService);
    unsubscribe = server.app.get(SessionTerminationHooks).subscribe((event) => void heard.push(event));
  });
  afterEach(() => {
    heard.length = 0;
  });
  afterAll(async () => {
    unsubscribe?.();
    await server?.close();
  });

  async function signedIn(username: string): Promise<Browser> {
    const browser = new Browser(server.http);
    expect((await login(browser, username, PASSWORD)).body.component).toBe('xak-flow-redirect');
    return browser;
  }
  const uuidOf = async (browser: Browser): Promise<string> =>
    (
      await server.db.query('SELECT uuid FROM sessions WHERE token_hash = $1', [
        hashToken(browser.cookie('idp_session')!),
      ])
    ).rows[0].uuid;
  const sessionsOf = async (pk: number): Promise<string[]> =>
    (await server.db.query('SELECT uuid FROM sessions WHERE user_pk = $1 ORDER BY uuid', [pk])).rows.map((r) => r.uuid);

  it("terminateOthers ends every other session of that user, keeps the one named and other users', and tells the hook", async () => {
    const pk = await createUser(server, 'others-svc', PASSWORD);
    const otherPk = await createUser(server, 'bystander-svc', PASSWORD);
    const kept = await signedIn('others-svc');
    const ended = [await signedIn('others-svc'), await signedIn('others-svc')];
    const bystander = await signedIn('bystander-svc');
    const endedUuids = await Promise.all(ended.map(uuidOf));

    expect(await terminator.terminateOthers(pk, await uuidOf(kept))).toBe(2);
    expect(await sessionsOf(pk)).toEqual([await uuidOf(kept)]);
    for (const browser of ended) expect((await browser.get(ME)).status).toBe(401);
    expect((await kept.get(ME)).status).toBe(200);
    expect((await bystander.get(ME)).status).toBe(200);
    expect(await sessionsOf(otherPk)).toHaveLength(1);
    expect(heard.toSorted((a, b) => a.sessionUuid.localeCompare(b.sessionUuid))).toEqual(
      endedUuids.toSorted().map((sessionUuid) => ({ sessionUuid, userPk: pk, reason: 'revoked_by_user' })),
    );

    heard.length = 0;
    expect(await terminator.terminateOthers(pk, await uuidOf(kept), 'terminate_other_sessions')).toBe(0);
    expect(heard).toEqual([]);
  });

  it("terminateAll ends every session of that user and no one else's, with the reason given to the hook", async () => {
    const pk = await createUser(server, 'all-svc', PASSWORD);
    const otherPk = await createUser(server, 'bystander-all-svc', PASSWORD);
    const browsers = [await signedIn('all-svc'), await signedIn('all-svc')];
    const uuids = await Promise.all(browsers.map(uuidOf));
    await signedIn('bystander-all-svc');

    expect(await terminator.terminateAll(pk)).toBe(2);
    expect(await sessionsOf(pk)).toEqual([]);
    expect(await sessionsOf(otherPk)).toHaveLength(1);
    for (const browser of browsers) expect((await browser.get(ME)).status).toBe(401);
    expect(heard.map((event) => event.reason)).toEqual(['revoked_by_admin', 'revoked_by_admin']);
    expect(heard.map((event) => event.sessionUuid).toSorted()).toEqual(uuids.toSorted());
    expect(heard.every((event) => event.userPk === pk)).toBe(true);

    heard.length = 0;
    await signedIn('all-svc');
    expect(await terminator.terminateAll(pk, 'logout')).toBe(1);
    expect(heard.map((event) => event.reason)).toEqual(['logout']);
    expect(await terminator.terminateAll(pk)).toBe(0);
  });

  it('terminate ends one session, tells the hook once (reason logout unless given) and writes no event; twice is false', async () => {
    const pk = await createUser(server, 'one-svc', PASSWORD);
    const ended = await signedIn('one-svc');
    const kept = await signedIn('one-svc');
    const uuid = await uuidOf(ended);
    const logoutEvents = async () =>
      (
        await server.db.query(
          `SELECT count(*)::int AS n FROM events WHERE action = 'logout' AND context->>'session_uuid' = $1`,
          [uuid],
        )
      ).rows[0].n;

    expect(await terminator.terminate(uuid)).toBe(true);
    expect((await ended.get(ME)).status).toBe(401);
    expect((await kept.get(ME)).status).toBe(200);
    expect(heard).toEqual([{ sessionUuid: uuid, userPk: pk, reason: 'logout' }]);
    expect(await logoutEvents()).toBe(0);

    heard.length = 0;
    expect(await terminator.terminate(uuid, 'revoked_by_admin')).toBe(false);
    expect(heard).toEqual([]);
    const other = await uuidOf(kept);
    expect(await terminator.terminate(other, 'session_limit')).toBe(true);
    expect(heard).toEqual([{ sessionUuid: other, userPk: pk, reason: 'session_limit' }]);
  });

  it('revoke of a session that is already gone is false, with no event and no hook; without a response to clear it still ends the caller’s own session', async () => {
    const pk = await createUser(server, 'revoke-svc', PASSWORD);
    const browser = await signedIn('revoke-svc');
    const uuid = await uuidOf(browser);
    const user = { pk, username: 'revoke-svc', email: '' };
    const events = async () =>
      (
        await server.db.query(
          `SELECT count(*)::int AS n FROM events WHERE action = 'logout' AND context->>'session_uuid' = $1`,
          [uuid],
        )
      ).rows[0].n;

    // the caller's own session, revoked by a host that passes no request or response
    expect(await terminator.revoke(uuid, { user, currentSessionUuid: uuid })).toBe(true);
    expect((await browser.get(ME)).status).toBe(401);
    expect(heard).toEqual([{ sessionUuid: uuid, userPk: pk, reason: 'revoked_by_user' }]);
    expect(await events()).toBe(1);

    heard.length = 0;
    expect(await terminator.revoke(uuid, { user })).toBe(false);
    expect(heard).toEqual([]);
    expect(await events()).toBe(1);
  });

  describe('with terminate_other_sessions on', () => {
    beforeAll(async () => {
      await patchDefaultLoginStage(server, { terminate_other_sessions: true });
    });
    afterAll(async () => {
      await patchDefaultLoginStage(server, { terminate_other_sessions: false });
    });

    it("a login waits for the user's advisory lock, and finishes with one session once it is released", async () => {
      const pk = await createUser(server, 'locked-login', PASSWORD);
      const earlier = await signedIn('locked-login');
      const holder = new pg.Client({ connectionString: inject('databaseUrl') });
      await holder.connect();
      try {
        await holder.query('SELECT pg_advisory_lock($1, $2)', [USER_SESSIONS_LOCK, pk]);
        const browser = new Browser(server.http);
        await browser.get(FLOW);
        await browser.post(FLOW, { component: 'ak-stage-identification', uid_field: 'locked-login' });
        const progress = { finished: false };
        const answer = browser.post(FLOW, { component: 'ak-stage-password', password: PASSWORD }).finally(() => {
          progress.finished = true;
        });

        // Wait until PostgreSQL shows a backend waiting for exactly this lock, or the login ends
        // (which, with the lock held, means it never asked for it).
        const waiting = async () =>
          (
            await holder.query(
              `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = $1 AND objid = $2 AND objsubid = 2`,
              [USER_SESSIONS_LOCK, pk],
            )
          ).rowCount === 1;
        while (!progress.finished && !(await waiting())) await new Promise((resolve) => setImmediate(resolve));
        expect(progress.finished).toBe(false);
        expect(await sessionsOf(pk)).toEqual([await uuidOf(earlier)]);

        await holder.query('SELECT pg_advisory_unlock($1, $2)', [USER_SESSIONS_LOCK, pk]);
        expect((await answer).body.component).toBe('xak-flow-redirect');
        expect(await sessionsOf(pk)).toEqual([await uuidOf(browser)]);
        expect((await earlier.get(ME)).status).toBe(401);
      } finally {
        await holder.end();
      }
    });
  });
});
