import { hashToken } from '@idp/core';
import { SessionTerminationHooks, type SessionTerminated } from '@idp/user-login';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Browser, login } from './support/http.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './support/test-server.js';
import { createUser as createTestUser } from './support/admin-api.js';

const FLOW = '/api/v3/flows/executor/default-authentication-flow/';
const ME = '/api/v3/core/users/me/';
const PASSWORD = 'a-long-enough-passphrase';

const tokenHashOf = (browser: Browser) => hashToken(browser.cookie('idp_session')!);
const admin = () => ({ Authorization: `Bearer ${ADMIN_TOKEN}` });

describe('terminate other sessions at login (Fastify, real Postgres)', () => {
  let server: TestServer;
  let stagePk: string;
  const heard: SessionTerminated[] = [];
  let unsubscribe: () => void;

  const createUser = (username: string) => createTestUser(server, username, PASSWORD);

  async function setTerminateOthers(on: boolean): Promise<void> {
    const patched = await request(server.http)
      .patch(`/api/v3/stages/user_login/${stagePk}/`)
      .set(admin())
      .send({ terminate_other_sessions: on });
    expect(patched.body.terminate_other_sessions).toBe(on);
  }

  async function signedIn(username: string): Promise<Browser> {
    const browser = new Browser(server.http);
    const done = await login(browser, username, PASSWORD);
    expect(done.body.component).toBe('xak-flow-redirect');
    return browser;
  }

  async function sessionsOf(pk: number): Promise<Array<{ uuid: string; token_hash: string }>> {
    return (await server.db.query('SELECT uuid, token_hash FROM sessions WHERE user_pk = $1', [pk])).rows;
  }

  beforeAll(async () => {
    // Twenty parallel right passwords of one user from one IP: attempts in flight count against
    // the sign-in budget until they are released, so the default (10) would refuse some.
    server = await startTestServer({ env: { LOGIN_THROTTLE: 'user_ip=100,ip=100,window=minutes=15' } });
    const stages = await request(server.http)
      .get('/api/v3/stages/user_login/?name=default-authentication-login')
      .set(admin());
    stagePk = stages.body.results[0].pk;
    unsubscribe = server.app.get(SessionTerminationHooks).subscribe((event) => void heard.push(event));
  });
  afterEach(async () => {
    heard.length = 0;
    await setTerminateOthers(false);
  });
  afterAll(async () => {
    unsubscribe?.();
    await server?.close();
  });

  it('a fourth login with terminate_other_sessions ends the first three, fires the hook three times and counts them in the login event', async () => {
    const alice = await createUser('alice');
    const bobPk = await createUser('bob');
    const bob = await signedIn('bob');
    const first = [await signedIn('alice'), await signedIn('alice'), await signedIn('alice')];
    const oldUuids = (await sessionsOf(alice)).map((row) => row.uuid).toSorted();
    expect(oldUuids).toHaveLength(3);

    await setTerminateOthers(true);
    const fourth = await signedIn('alice');

    for (const browser of first) expect((await browser.get(ME)).status).toBe(401);
    expect((await fourth.get(ME)).status).toBe(200);
    expect((await bob.get(ME)).status).toBe(200);

    const left = await sessionsOf(alice);
    expect(left.map((row) => row.token_hash)).toEqual([tokenHashOf(fourth)]);
    expect(await sessionsOf(bobPk)).toHaveLength(1);

    expect(heard.map((event) => event.sessionUuid).toSorted()).toEqual(oldUuids);
    expect(heard.every((event) => event.userPk === alice && event.reason === 'terminate_other_sessions')).toBe(true);

    const event = await server.db.query(
      `SELECT context FROM events WHERE action = 'login' AND "user"->>'username' = 'alice' ORDER BY created DESC LIMIT 1`,
    );
    expect(event.rows[0].context.terminated_sessions).toBe(3);
    expect(event.rows[0].context.terminated_session_uuids.toSorted()).toEqual(oldUuids);
    expect(event.rows[0].context.session_uuid).toBe(left[0].uuid);
  });

  it('with the flag off, four logins of one user all keep working and nothing is terminated', async () => {
    const carol = await createUser('carol');
    const browsers = [
      await signedIn('carol'),
      await signedIn('carol'),
      await signedIn('carol'),
      await signedIn('carol'),
    ];
    for (const browser of browsers) expect((await browser.get(ME)).status).toBe(200);
    expect(await sessionsOf(carol)).toHaveLength(4);
    expect(heard).toEqual([]);
    const event = await server.db.query(
      `SELECT context FROM events WHERE action = 'login' AND "user"->>'username' = 'carol' ORDER BY created DESC LIMIT 1`,
    );
    expect(event.rows[0].context).not.toHaveProperty('terminated_sessions');
  });

  it('twenty parallel logins through a terminate_other_sessions stage leave exactly one live session', async () => {
    const dave = await createUser('dave');
    await setTerminateOthers(true);
    const browsers = Array.from({ length: 20 }, () => new Browser(server.http));
    for (const browser of browsers) {
      await browser.get(FLOW);
      await browser.post(FLOW, { component: 'ak-stage-identification', uid_field: 'dave' });
    }
    // Only the last step, which runs the login stage, is concurrent.
    const finished = await Promise.all(
      browsers.map((browser) => browser.post(FLOW, { component: 'ak-stage-password', password: PASSWORD })),
    );
    expect(finished.map((response) => response.body.component)).toEqual(Array(20).fill('xak-flow-redirect'));

    const left = await sessionsOf(dave);
    expect(left).toHaveLength(1);
    const survivors = browsers.filter((browser) => tokenHashOf(browser) === left[0].token_hash);
    expect(survivors).toHaveLength(1);
    const statuses = await Promise.all(browsers.map(async (browser) => (await browser.get(ME)).status));
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 401)).toHaveLength(19);
    expect((await survivors[0].get(ME)).status).toBe(200);

    // Every session but the survivor was ended exactly once, and the login events add up to that.
    expect(new Set(heard.map((event) => event.sessionUuid)).size).toBe(19);
    expect(heard).toHaveLength(19);
    const events = await server.db.query(
      `SELECT context FROM events WHERE action = 'login' AND "user"->>'username' = 'dave'`,
    );
    expect(
      events.rows.reduce(
        (sum: number, row: { context: { terminated_sessions: number } }) => sum + row.context.terminated_sessions,
        0,
      ),
    ).toBe(19);
  });

  it('logging out fires the hook once, with reason logout', async () => {
    const erin = await createUser('erin');
    const browser = await signedIn('erin');
    const [row] = await sessionsOf(erin);
    await browser.get('/api/v3/flows/executor/default-invalidation-flow/');
    expect(await sessionsOf(erin)).toHaveLength(0);
    expect(heard).toEqual([{ sessionUuid: row.uuid, userPk: erin, reason: 'logout' }]);
  });

  it('a broken binding fires the hook once even when parallel requests all trip it', async () => {
    const frank = await createUser('frank');
    const browser = await signedIn('frank');
    const [row] = await sessionsOf(frank);
    // No ASN database is configured, so an ASN-bound session breaks (network.missing) on any new IP.
    await server.db.query(`UPDATE sessions SET network_binding = 'bind_asn' WHERE uuid = $1`, [row.uuid]);
    const cookie = `idp_session=${browser.cookie('idp_session')}`;
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        request(server.http).get(ME).set('Cookie', cookie).set('X-Forwarded-For', '198.51.100.7'),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(5).fill(401));
    expect(await sessionsOf(frank)).toHaveLength(0);
    expect(heard).toEqual([{ sessionUuid: row.uuid, userPk: frank, reason: 'binding_broken' }]);
    const logouts = await server.db.query(
      `SELECT 1 FROM events WHERE action = 'logout' AND context->>'session_uuid' = $1`,
      [row.uuid],
    );
    expect(logouts.rowCount).toBe(1);
  });
});
