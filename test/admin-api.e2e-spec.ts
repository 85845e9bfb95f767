import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, login } from './support/http.js';
import { ADMIN_PASSWORD, ADMIN_TOKEN, startTestServer, type TestServer } from './support/test-server.js';

const STAGES = '/api/v3/stages/user_login/';
const auth = { Authorization: `Bearer ${ADMIN_TOKEN}` };

describe('admin API (stages, users, events) and bad input', () => {
  let server: TestServer;
  const api = () => request(server.http);
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('refuses anonymous callers (401), bad tokens (401) and non-admin users (403)', async () => {
    expect((await api().get(STAGES)).status).toBe(401);
    expect((await api().get(STAGES).set('Authorization', 'Bearer nope')).status).toBe(401);
    expect((await api().get(STAGES).set('Authorization', 'Basic abc')).status).toBe(401);
    const created = await api()
      .post('/api/v3/core/users/')
      .set(auth)
      .send({ username: 'bob', password: 'bob-password-1', email: 'bob@example.test' });
    expect(created.status).toBe(201);
    const bob = new Browser(server.http);
    await login(bob, 'bob', 'bob-password-1');
    expect((await bob.get('/api/v3/core/users/me/')).status).toBe(200);
    const forbidden = await bob.get(STAGES);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('permission_denied');
  });

  it('accepts a superuser session cookie as well as the bearer token', async () => {
    const admin = new Browser(server.http);
    await login(admin, 'akadmin', ADMIN_PASSWORD);
    const listed = await admin.get(STAGES);
    expect(listed.status).toBe(200);
    expect(listed.body.results.map((s: { name: string }) => s.name)).toEqual([
      'default-authentication-login',
      'default-enrollment-login',
    ]);
  });

  it('creates, reads, updates and deletes a user-login stage', async () => {
    const created = await api().post(STAGES).set(auth).send({
      name: 'corp-login',
      session_duration: 'hours=8',
      remember_me_offset: 'days=30',
      terminate_other_sessions: true,
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      pk: expect.any(String),
      name: 'corp-login',
      // authentik's read-only stage fields; bound in no flow yet
      component: 'ak-stage-user-login-form',
      verbose_name: 'User Login Stage',
      verbose_name_plural: 'User Login Stages',
      meta_model_name: 'authentik_stages_user_login.userloginstage',
      flow_set: [],
      session_duration: 'hours=8',
      remember_me_offset: 'days=30',
      network_binding: 'no_binding',
      geoip_binding: 'no_binding',
      terminate_other_sessions: true,
      // the second-round options, at their defaults (today's behaviour)
      binding_mode: 'enforce',
      on_missing_record: 'terminate',
      binding_exempt_cidrs: [],
      ipv6_prefix: 128,
      session_idle_timeout: 'seconds=0',
      max_sessions: 0,
      on_limit: 'evict_oldest',
      // the device options (design section 12), at their defaults: authentik's days=30, DBSC off
      remember_device: 'days=30',
      device_bound_sessions: 'off',
    });
    const pk = created.body.pk;
    expect((await api().get(`${STAGES}${pk}/`).set(auth)).body.name).toBe('corp-login');

    const patched = await api().patch(`${STAGES}${pk}/`).set(auth).send({ session_duration: 'hours=1;minutes=30' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ session_duration: 'hours=1;minutes=30', remember_me_offset: 'days=30' });
    const row = await server.db.query('SELECT session_duration FROM user_login_stages WHERE stage_uuid = $1', [pk]);
    expect(row.rows[0].session_duration).toBe('hours=1;minutes=30');

    const replaced = await api().put(`${STAGES}${pk}/`).set(auth).send({ name: 'corp-login-2' });
    expect(replaced.status).toBe(200);
    expect(replaced.body.name).toBe('corp-login-2');

    expect((await api().delete(`${STAGES}${pk}/`).set(auth)).status).toBe(204);
    expect((await api().get(`${STAGES}${pk}/`).set(auth)).status).toBe(404);
    expect((await server.db.query('SELECT 1 FROM stages WHERE stage_uuid = $1', [pk])).rowCount).toBe(0);
    const audit = await server.db.query(
      `SELECT action FROM events WHERE context->'model'->>'pk' = $1 ORDER BY created`,
      [pk],
    );
    expect(audit.rows.map((r) => r.action)).toEqual([
      'model_created',
      'model_updated',
      'model_updated',
      'model_deleted',
    ]);
  });

  it.each([
    [
      { name: 'x', session_duration: 'hours=1,' },
      'session_duration',
      /^hours=1, is not in the correct format of 'hours=3;minutes=1'\./,
    ],
    [{ name: 'x', session_duration: 'years=1' }, 'session_duration', /years/],
    [{ name: 'x', session_duration: 'hours=-1' }, 'session_duration', /must not be negative/],
    [{ name: 'x', session_duration: 5 }, 'session_duration', /Not a valid string/],
    [{ name: 'x', remember_me_offset: 'days=abc' }, 'remember_me_offset', /is not in the correct format/],
    [{ name: 'x', network_binding: 'bind_everything' }, 'network_binding', /not a valid choice/],
    [{ name: 'x', geoip_binding: 'bind_planet' }, 'geoip_binding', /not a valid choice/],
    [{ name: 'x', terminate_other_sessions: 'yes' }, 'terminate_other_sessions', /boolean/],
    [{ name: '' }, 'name', /blank/],
    [{ session_duration: 'hours=1' }, 'name', /required/],
    [{ name: 'x', colour: 'blue' }, 'colour', /Unknown field/],
    [{ name: 'default-authentication-login' }, 'name', /already exists/],
  ])('refuses %j with 400 {%s: [...]} and writes nothing', async (body, field, message) => {
    const before = await server.db.query('SELECT count(*)::int AS n FROM stages');
    const response = await api().post(STAGES).set(auth).send(body);
    expect(response.status).toBe(400);
    expect(response.body[field][0]).toMatch(message);
    const after = await server.db.query('SELECT count(*)::int AS n FROM stages');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('answers concurrent creates of one name with one 201 and 400s, never a 500', async () => {
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => api().post(STAGES).set(auth).send({ name: 'racing-login' })),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([201, 400, 400, 400, 400, 400]);
    for (const r of responses.filter((r) => r.status === 400)) expect(r.body.name[0]).toMatch(/already exists/);
    expect((await server.db.query(`SELECT count(*)::int AS n FROM stages WHERE name = 'racing-login'`)).rows[0].n).toBe(
      1,
    );
  });

  it('refuses bindings the server has no database for, naming the variable to set', async () => {
    const geo = await api().post(STAGES).set(auth).send({ name: 'geo', geoip_binding: 'bind_continent' });
    expect(geo.status).toBe(400);
    expect(geo.body.geoip_binding[0]).toContain('GEOIP_CITY_DB');
    const net = await api().post(STAGES).set(auth).send({ name: 'net', network_binding: 'bind_asn' });
    expect(net.status).toBe(400);
    expect(net.body.network_binding[0]).toContain('GEOIP_ASN_DB');
  });

  it('answers malformed ids and bodies with 4xx, never 500', async () => {
    expect((await api().get(`${STAGES}not-a-uuid/`).set(auth)).status).toBe(404);
    expect((await api().get(`${STAGES}00000000-0000-0000-0000-000000000000/`).set(auth)).status).toBe(404);
    const garbage = await api().post(STAGES).set(auth).set('Content-Type', 'application/json').send('{"name": ');
    expect(garbage.status).toBe(400);
    const array = await api().post(STAGES).set(auth).send([1, 2]);
    expect(array.status).toBe(400);
    const flowArray = await api().post('/api/v3/flows/executor/default-authentication-flow/').send([1]);
    expect(flowArray.status).toBe(400);
    const flowGarbage = await api()
      .post('/api/v3/flows/executor/default-authentication-flow/')
      .set('Content-Type', 'application/json')
      .send('not json');
    expect(flowGarbage.status).toBe(400);
    expect((await api().get('/api/v3/core/users/abc/').set(auth)).status).toBe(400);
    expect((await api().get(`${STAGES}?page=0`).set(auth)).status).toBe(400);
    // Page numbers and pks beyond what a 32-bit column or an OFFSET holds: 400 / 404, never a 500.
    for (const page of ['1e21', '99999999999999999999', '2147483648', '-1', '1.5'])
      expect((await api().get(`${STAGES}?page=${page}`).set(auth)).status, page).toBe(400);
    for (const pk of ['2147483648', '99999999999999999999', '0', '-1'])
      expect((await api().get(`/api/v3/core/users/${pk}/`).set(auth)).status, pk).toBe(404);
    expect((await api().patch('/api/v3/core/users/2147483648/').set(auth).send({ name: 'x' })).status).toBe(404);
  });

  it('clamps page_size to 100 instead of refusing it', async () => {
    await server.db.query(
      `INSERT INTO events (action, app, expires) SELECT 'page_test', 'test', now() + interval '1 day' FROM generate_series(1, 101)`,
    );
    const clamped = await api().get('/api/v3/events/events/?action=page_test&page_size=1000').set(auth);
    expect(clamped.status).toBe(200);
    expect(clamped.body.results).toHaveLength(100);
    expect(clamped.body.pagination).toMatchObject({ count: 101, total_pages: 2, next: 2, end_index: 100 });
    await server.db.query(`DELETE FROM events WHERE action = 'page_test'`); // later tests read the whole log
    expect((await api().get(`${STAGES}?page_size=0`).set(auth)).status).toBe(400);
  });

  it('manages users: validation, duplicates, set_password, deactivation ends sessions', async () => {
    const usersBefore = (await server.db.query('SELECT count(*)::int AS n FROM users')).rows[0].n;
    const badName = await api().post('/api/v3/core/users/').set(auth).send({ username: 'bad name!' });
    expect(badName.status).toBe(400);
    expect(badName.body.username).toEqual([
      'Enter a valid username of up to 150 letters, digits and @/./+/-/_ characters.',
    ]);
    const shortPassword = await api()
      .post('/api/v3/core/users/')
      .set(auth)
      .send({ username: 'carol', password: '1234' });
    expect(shortPassword.status).toBe(400);
    expect(shortPassword.body.password[0]).toMatch(/at least 8/);
    expect((await server.db.query('SELECT count(*)::int AS n FROM users')).rows[0].n).toBe(usersBefore);
    const carol = await api()
      .post('/api/v3/core/users/')
      .set(auth)
      .send({ username: 'carol', password: 'carol-password', email: 'carol@example.test' });
    expect(carol.status).toBe(201);
    expect(
      (await api().post('/api/v3/core/users/').set(auth).send({ username: 'carol', password: 'another-pass' })).body
        .username[0],
    ).toMatch(/already exists/);

    expect(
      (
        await api()
          .post(`/api/v3/core/users/${carol.body.pk}/set_password/`)
          .set(auth)
          .send({ password: 'carol-new-password' })
      ).status,
    ).toBe(204);
    const browser = new Browser(server.http);
    expect((await login(browser, 'carol', 'carol-new-password')).body.component).toBe('xak-flow-redirect');
    expect((await browser.get('/api/v3/core/users/me/')).status).toBe(200);

    const deactivated = await api().patch(`/api/v3/core/users/${carol.body.pk}/`).set(auth).send({ is_active: false });
    expect(deactivated.body.is_active).toBe(false);
    expect((await browser.get('/api/v3/core/users/me/')).status).toBe(401);
    expect((await server.db.query('SELECT 1 FROM sessions WHERE user_pk = $1', [carol.body.pk])).rowCount).toBe(0);
    const denied = await login(new Browser(server.http), 'carol', 'carol-new-password');
    expect(denied.body).toMatchObject({
      component: 'ak-stage-access-denied',
      error_message: 'This account is disabled. Ask an administrator to enable it.',
    });
  });

  it('dates changes: last_updated moves with each API change, password_change_date only with the password', async () => {
    const created = await api()
      .post('/api/v3/core/users/')
      .set(auth)
      .send({ username: 'dates-user', password: 'dates-password-1' });
    expect(created.status).toBe(201);
    const pk = created.body.pk;
    const at = (body: { last_updated: string; password_change_date: string; date_joined: string }) => ({
      updated: Date.parse(body.last_updated),
      password: Date.parse(body.password_change_date),
      joined: Date.parse(body.date_joined),
    });
    const first = at(created.body);
    expect(Number.isNaN(first.updated) || Number.isNaN(first.password)).toBe(false);
    expect(first.updated).toBeGreaterThanOrEqual(first.joined);
    // Stamp the row in the past, so that any later change shows.
    await server.db.query(
      `UPDATE users SET last_updated = now() - interval '1 day', password_change_date = now() - interval '1 day'
        WHERE pk = $1`,
      [pk],
    );
    const dayAgo = at((await api().get(`/api/v3/core/users/${pk}/`).set(auth)).body);

    const renamed = await api().patch(`/api/v3/core/users/${pk}/`).set(auth).send({ name: 'Dates User' });
    expect(at(renamed.body).updated).toBeGreaterThan(dayAgo.updated);
    expect(at(renamed.body).password).toBe(dayAgo.password);

    // Signing in changes last_login, which is no change to the user.
    await login(new Browser(server.http), 'dates-user', 'dates-password-1');
    const afterLogin = (await api().get(`/api/v3/core/users/${pk}/`).set(auth)).body;
    expect(afterLogin.last_login).not.toBeNull();
    expect(at(afterLogin).updated).toBe(at(renamed.body).updated);

    const setPassword = await api()
      .post(`/api/v3/core/users/${pk}/set_password/`)
      .set(auth)
      .send({ password: 'dates-password-2' });
    expect(setPassword.status).toBe(204);
    expect(at((await api().get(`/api/v3/core/users/${pk}/`).set(auth)).body).password).toBeGreaterThan(dayAgo.password);
  });

  it('lists events filtered by action and username, newest first by default', async () => {
    // Its own user and logins: the test must not lean on rows an earlier test left behind.
    await api()
      .post('/api/v3/core/users/')
      .set(auth)
      .send({ username: 'eve-events', password: 'eve-events-password', email: 'eve@example.test' });
    for (let i = 0; i < 2; i++) await login(new Browser(server.http), 'eve-events', 'eve-events-password');
    await login(new Browser(server.http), 'eve-events', 'not-her-password');
    const response = await api().get('/api/v3/events/events/?action=login&username=eve-events').set(auth);
    expect(response.status).toBe(200);
    expect(response.body.pagination.count).toBe(2);
    for (const event of response.body.results) {
      expect(event.action).toBe('login');
      expect(event.user.username).toBe('eve-events');
    }
    const all = await api().get('/api/v3/events/events/?page_size=100').set(auth);
    const times = all.body.results.map((e: { created: string }) => new Date(e.created).getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const oldest = await api().get('/api/v3/events/events/?ordering=created&page_size=1').set(auth);
    expect(new Date(oldest.body.results[0].created).getTime()).toBe(Math.min(...times));
    expect((await api().get('/api/v3/events/events/?ordering=action').set(auth)).status).toBe(400);
  });
});

describe('ending a user ends their sessions visibly', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('deactivating or deleting a user writes a logout event per session, naming the admin', async () => {
    for (const change of ['deactivate', 'delete'] as const) {
      const username = `dave-${change}`;
      const created = await request(server.http)
        .post('/api/v3/core/users/')
        .set(auth)
        .send({ username, password: 'dave-password-1' });
      const browser = new Browser(server.http);
      await login(browser, username, 'dave-password-1');
      const [session] = (await server.db.query('SELECT uuid FROM sessions WHERE user_pk = $1', [created.body.pk])).rows;
      const call =
        change === 'delete'
          ? request(server.http).delete(`/api/v3/core/users/${created.body.pk}/`).set(auth)
          : request(server.http).patch(`/api/v3/core/users/${created.body.pk}/`).set(auth).send({ is_active: false });
      expect((await call).status).toBeLessThan(300);
      const events = await server.db.query(
        `SELECT "user", context FROM events WHERE action = 'logout' AND context->>'session_uuid' = $1`,
        [session.uuid],
      );
      expect(events.rowCount).toBe(1);
      expect(events.rows[0].user.username).toBe(username);
      expect(events.rows[0].context).toMatchObject({
        logout_reason: 'Session revoked by an administrator',
        revoked_by: { username: 'akadmin' },
      });
      expect((await browser.get('/api/v3/core/users/me/')).status).toBe(401);
    }
  });
});
