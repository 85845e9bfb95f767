// Answers of the API that other suites only touch in passing: every field of users/me, no
// password hash in any answer that carries a user, PUT on a stage (required fields as on create,
// unsent settings kept), and the login stage refusing to run without a usable pending user, on
// POST as well as GET and in the library itself.
import { UserRepository } from '@idp/core';
import { UserLoginStageService } from '@idp/user-login';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminAuth, createUser } from './support/admin-api.js';
import { Browser, login, setCookieLine } from './support/http.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const ME = '/api/v3/core/users/me/';
const USERS = '/api/v3/core/users/';
const STAGES = '/api/v3/stages/user_login/';
const PASSWORD = 'api-answers-password';

describe('API answers (Fastify, real Postgres)', () => {
  let server: TestServer;
  const api = () => request(server.http);

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  const sessionCount = async () => Number((await server.db.query('SELECT count(*) FROM sessions')).rows[0].count);

  it("users/me answers exactly authentik's SessionUser: {user: {pk, username, name, email, is_active, is_superuser, ...UserSelf}, users: []}", async () => {
    const created = await api()
      .post(USERS)
      .set(adminAuth())
      .send({ username: 'me-fields', name: 'Me Fields', email: 'me-fields@example.test', password: PASSWORD });
    expect(created.status).toBe(201);
    const browser = new Browser(server.http);
    expect((await login(browser, 'me-fields', PASSWORD)).body.component).toBe('xak-flow-redirect');
    const me = await browser.get(ME);
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      user: {
        pk: created.body.pk,
        username: 'me-fields',
        name: 'Me Fields',
        email: 'me-fields@example.test',
        is_active: true,
        is_superuser: false,
        // authentik's UserSelf, honestly empty where this server has no such thing
        is_current: true,
        groups: [],
        roles: [],
        settings: {},
        system_permissions: [],
        avatar: '',
        uid: expect.any(String),
      },
      users: [],
    });
    const row = await server.db.query('SELECT pk, uuid FROM users WHERE username = $1', ['me-fields']);
    expect(me.body.user.pk).toBe(row.rows[0].pk);
    expect(me.body.user.uid).toBe(row.rows[0].uuid);
  });

  it('never shows the password hash: not in users/me, the users API, sessions or events', async () => {
    const pk = await createUser(server, 'no-hash', PASSWORD);
    const stored = (await server.db.query('SELECT password FROM users WHERE pk = $1', [pk])).rows[0].password;
    expect(stored).toMatch(/^\$argon2id\$/);
    const browser = new Browser(server.http);
    await login(browser, 'no-hash', PASSWORD);

    const answers = {
      me: await browser.get(ME),
      created: await api()
        .post(USERS)
        .set(adminAuth())
        .send({ username: 'no-hash-2', password: PASSWORD, email: 'no-hash-2@example.test' }),
      list: await api().get(`${USERS}?search=no-hash`).set(adminAuth()),
      get: await api().get(`${USERS}${pk}/`).set(adminAuth()),
      patched: await api()
        .patch(`${USERS}${pk}/`)
        .set(adminAuth())
        .send({ name: 'No Hash', password: 'a-new-password' }),
      sessions: await api().get('/api/v3/core/authenticated_sessions/?user__username=no-hash').set(adminAuth()),
      ownSessions: await browser.get('/api/v3/core/authenticated_sessions/'),
      events: await api().get('/api/v3/events/events/?username=no-hash&page_size=100').set(adminAuth()),
    };
    const newHash = (await server.db.query('SELECT password FROM users WHERE pk = $1', [pk])).rows[0].password;
    expect(newHash).not.toBe(stored);
    for (const [name, answer] of Object.entries(answers)) {
      expect(answer.status, name).toBeLessThan(300);
      const text = JSON.stringify(answer.body);
      expect(text, name).toContain('no-hash');
      expect(text, name).not.toContain('$argon2');
      expect(text, name).not.toContain(stored);
      expect(text, name).not.toContain(newHash);
      expect(text, name).not.toMatch(/"password":/);
    }
  });

  it('PUT on a stage needs the fields create needs, changes what it names and keeps the settings it does not send', async () => {
    const created = await api().post(STAGES).set(adminAuth()).send({
      name: 'put-stage',
      session_duration: 'hours=8',
      remember_me_offset: 'days=30',
      terminate_other_sessions: true,
    });
    expect(created.status).toBe(201);
    const path = `${STAGES}${created.body.pk}/`;

    const missingName = await api().put(path).set(adminAuth()).send({ session_duration: 'hours=2' });
    expect(missingName.status).toBe(400);
    expect(missingName.body.name).toEqual(['This field is required.']);
    expect((await api().get(path).set(adminAuth())).body.session_duration).toBe('hours=8');

    const replaced = await api().put(path).set(adminAuth()).send({ name: 'put-stage-2', session_duration: 'hours=2' });
    expect(replaced.status).toBe(200);
    const expected = {
      pk: created.body.pk,
      name: 'put-stage-2',
      component: 'ak-stage-user-login-form',
      session_duration: 'hours=2',
      remember_me_offset: 'days=30',
      network_binding: 'no_binding',
      geoip_binding: 'no_binding',
      terminate_other_sessions: true,
    };
    expect(replaced.body).toMatchObject(expected);
    expect((await api().get(path).set(adminAuth())).body).toEqual(replaced.body);
    const row = await server.db.query(
      'SELECT session_duration, remember_me_offset, terminate_other_sessions FROM user_login_stages WHERE stage_uuid = $1',
      [created.body.pk],
    );
    expect(row.rows[0]).toEqual({
      session_duration: 'hours=2',
      remember_me_offset: 'days=30',
      terminate_other_sessions: true,
    });
  });

  it('a prompting login stage answered by POST without a pending user denies access and creates no session', async () => {
    const flow = await api()
      .post('/api/v3/flows/instances/')
      .set(adminAuth())
      .send({ slug: 'login-only-post', name: 'Login only (POST)', designation: 'authentication' });
    expect(flow.status).toBe(201);
    const stage = await api()
      .post(STAGES)
      .set(adminAuth())
      .send({ name: 'login-only-post-login', remember_me_offset: 'days=1' });
    expect(stage.status).toBe(201);
    const binding = await api()
      .post('/api/v3/flows/bindings/')
      .set(adminAuth())
      .send({ target: flow.body.pk, stage: stage.body.pk, order: 10 });
    expect(binding.status).toBe(201);

    const before = await sessionCount();
    const browser = new Browser(server.http);
    const answer = await browser.post('/api/v3/flows/executor/login-only-post/', {
      component: 'ak-stage-user-login',
      remember_me: true,
    });
    expect(answer.body).toMatchObject({ component: 'ak-stage-access-denied', error_message: 'No pending user.' });
    expect(setCookieLine(answer, 'idp_session')).toBeUndefined();
    expect(await sessionCount()).toBe(before);
  });

  it('UserLoginStageService.login itself refuses a missing or inactive pending user: no session, no cookie, no event', async () => {
    const service = server.app.get(UserLoginStageService);
    const stage = (await server.app.get(UserLoginStageService).findStageByName('default-authentication-login'))!;
    const pk = await createUser(server, 'inactive-pending', PASSWORD);
    await api().patch(`${USERS}${pk}/`).set(adminAuth()).send({ is_active: false });
    const inactive = (await server.app.get(UserRepository).findByPk(pk))!;
    expect(inactive.isActive).toBe(false);

    const events = async () =>
      Number((await server.db.query(`SELECT count(*) FROM events WHERE action = 'login'`)).rows[0].count);
    const before = { sessions: await sessionCount(), events: await events() };
    for (const [pendingUser, message] of [
      [null, 'No pending user.'],
      [undefined, 'No pending user.'],
      [inactive, 'This account is disabled. Ask an administrator to enable it.'],
    ] as const) {
      const headers = new Map<string, unknown>();
      const response = { getHeader: (n: string) => headers.get(n), removeHeader: (n: string) => headers.delete(n) };
      const result = await service.login({
        request: { method: 'POST', url: '/', headers: {}, ip: '127.0.0.1' },
        response,
        stage,
        pendingUser,
      });
      expect(result).toEqual({ outcome: 'denied', message });
      expect(headers.size).toBe(0);
    }
    expect({ sessions: await sessionCount(), events: await events() }).toEqual(before);
  });
});
