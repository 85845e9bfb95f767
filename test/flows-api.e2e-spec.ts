import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminAuth, createUser } from './support/admin-api.js';
import { Browser, login, setCookieLine } from './support/http.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const FLOWS = '/api/v3/flows/instances/';
const BINDINGS = '/api/v3/flows/bindings/';
const STAGES = '/api/v3/stages/';
const TABLES = [
  'flows',
  'flow_stage_bindings',
  'stages',
  'identification_stages',
  'password_stages',
  'prompt_stages',
  'user_write_stages',
  'user_login_stages',
];
const MISSING = '00000000-0000-4000-8000-000000000000';

describe('flows, bindings and stages admin API (Fastify, real Postgres)', () => {
  let server: TestServer;
  type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
  const api = (method: Method, path: string, body?: object) => {
    const call = request(server.http)[method](path).set(adminAuth());
    return body === undefined ? call : call.send(body);
  };
  const created = async (path: string, body: object) => {
    const response = await api('post', path, body);
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body;
  };
  const counts = async () => {
    const result: Record<string, number> = {};
    for (const table of [...TABLES, 'events'])
      result[table] = Number((await server.db.query(`SELECT count(*) FROM ${table}`)).rows[0].count);
    return result;
  };
  const flowPk = async (slug: string) =>
    (await server.db.query('SELECT flow_uuid FROM flows WHERE slug = $1', [slug])).rows[0].flow_uuid;
  const stagePk = async (name: string) =>
    (await server.db.query('SELECT stage_uuid FROM stages WHERE name = $1', [name])).rows[0].stage_uuid;

  beforeAll(async () => {
    server = await startTestServer();
    await createUser(server, 'alice', 'alice-password-1');
  });
  afterAll(() => server?.close());

  it('builds a new login flow purely through the API, and a browser logs in with it for 2 hours', async () => {
    const flow = await created(FLOWS, {
      slug: 'api-login',
      name: 'API login',
      title: 'Sign in here',
      designation: 'authentication',
    });
    expect(flow).toEqual({
      pk: flow.pk,
      slug: 'api-login',
      name: 'API login',
      title: 'Sign in here',
      designation: 'authentication',
      // authentik's read-only Flow fields: no stages bound yet, and none of its policies or backgrounds here
      policybindingmodel_ptr_id: flow.pk,
      stages: [],
      policies: [],
      cache_count: 0,
      background_url: '',
      background_themed_urls: null,
      export_url: '',
    });
    const identification = await created(`${STAGES}identification/`, {
      name: 'api-identification',
      user_fields: ['username'],
    });
    expect(identification).toMatchObject({ user_fields: ['username'], enrollment_flow_slug: null });
    const password = await created(`${STAGES}password/`, { name: 'api-password', failed_attempts_before_cancel: 3 });
    const userLogin = await created(`${STAGES}user_login/`, { name: 'api-login-2h', session_duration: 'hours=2' });
    for (const [order, stage, type] of [
      [30, userLogin, 'user_login'],
      [10, identification, 'identification'],
      [20, password, 'password'],
    ] as const) {
      const binding = await created(BINDINGS, { target: flow.pk, stage: stage.pk, order });
      expect(binding).toEqual({
        pk: binding.pk,
        policybindingmodel_ptr_id: binding.pk,
        target: flow.pk,
        stage: stage.pk,
        // authentik's Stage: the stage's fields and the flows it is bound in, this one now included
        stage_obj: {
          pk: stage.pk,
          name: stage.name,
          type,
          component: stage.component,
          verbose_name: stage.verbose_name,
          verbose_name_plural: stage.verbose_name_plural,
          meta_model_name: stage.meta_model_name,
          flow_set: [expect.objectContaining({ pk: flow.pk, slug: 'api-login', designation: 'authentication' })],
        },
        order,
      });
    }

    expect((await api('get', `${FLOWS}api-login/`)).body.stages).toEqual([
      identification.pk,
      password.pk,
      userLogin.pk,
    ]);
    const listed = await api('get', `${BINDINGS}?target=${flow.pk}`);
    expect(listed.body.pagination.count).toBe(3);
    expect(listed.body.results.map((b: { stage_obj: { name: string } }) => b.stage_obj.name)).toEqual([
      'api-identification',
      'api-password',
      'api-login-2h',
    ]);
    const reversed = await api('get', `${BINDINGS}?target=${flow.pk}&ordering=-order`);
    expect(reversed.body.results.map((b: { order: number }) => b.order)).toEqual([30, 20, 10]);

    const db = await server.db.query('SELECT user_fields FROM identification_stages WHERE stage_uuid = $1', [
      identification.pk,
    ]);
    expect(db.rows[0].user_fields).toEqual(['username']);
    const pwd = await server.db.query(
      'SELECT failed_attempts_before_cancel FROM password_stages WHERE stage_uuid = $1',
      [password.pk],
    );
    expect(pwd.rows[0].failed_attempts_before_cancel).toBe(3);

    // The stage only matches usernames: the e-mail address does not identify anyone here.
    const byEmail = await login(new Browser(server.http), 'alice@example.test', 'alice-password-1', {
      slug: 'api-login',
    });
    expect(byEmail.body.response_errors?.password).toBeDefined();

    const browser = new Browser(server.http);
    const done = await login(browser, 'alice', 'alice-password-1', { slug: 'api-login' });
    expect(done.body).toMatchObject({ component: 'xak-flow-redirect' });
    expect(setCookieLine(done, 'idp_session')).toMatch(/Max-Age=7200(;|$)/);
    const session = await server.db.query(
      `SELECT s.stage_uuid FROM sessions s JOIN users u ON u.pk = s.user_pk WHERE u.username = 'alice'`,
    );
    expect(session.rows.map((r) => r.stage_uuid)).toEqual([userLogin.pk]);
    expect((await browser.get('/api/v3/core/users/me/')).body.user.username).toBe('alice');

    const audit = await server.db.query(
      `SELECT context->'model'->>'model_name' AS model, "user"->>'username' AS who FROM events WHERE action = 'model_created'`,
    );
    expect(audit.rows.map((r) => r.model)).toEqual(
      expect.arrayContaining(['flow', 'identificationstage', 'passwordstage', 'flowstagebinding']),
    );
    expect(new Set(audit.rows.map((r) => r.who))).toEqual(new Set(['akadmin']));
  });

  it('denies access when a flow reaches the login stage without a pending user, and creates no session', async () => {
    const flow = await created(FLOWS, { slug: 'login-only', name: 'Login only', designation: 'authentication' });
    const stage = await created(`${STAGES}user_login/`, { name: 'login-only-login' });
    await created(BINDINGS, { target: flow.pk, stage: stage.pk, order: 10 });
    const sessionsBefore = Number((await server.db.query('SELECT count(*) FROM sessions')).rows[0].count);
    const browser = new Browser(server.http);
    const answer = await browser.get('/api/v3/flows/executor/login-only/');
    expect(answer.body).toMatchObject({ component: 'ak-stage-access-denied', error_message: 'No pending user.' });
    expect(setCookieLine(answer, 'idp_session')).toBeUndefined();
    expect(Number((await server.db.query('SELECT count(*) FROM sessions')).rows[0].count)).toBe(sessionsBefore);
  });

  it('reads, filters, updates and deletes flows by slug; a renamed or deleted flow is followed by identification stages', async () => {
    await created(FLOWS, { slug: 'signup-2', name: 'Sign-up 2', designation: 'enrollment' });
    const stage = await created(`${STAGES}identification/`, {
      name: 'id-with-signup',
      enrollment_flow_slug: 'signup-2',
    });
    await created(BINDINGS, { target: await flowPk('signup-2'), stage: stage.pk, order: 0 });

    expect((await api('get', `${FLOWS}signup-2/`)).body).toMatchObject({
      slug: 'signup-2',
      title: '',
      designation: 'enrollment',
    });
    const enrollment = await api('get', `${FLOWS}?designation=enrollment`);
    expect(enrollment.body.results.map((f: { slug: string }) => f.slug)).toEqual([
      'default-enrollment-flow',
      'signup-2',
    ]);
    expect((await api('get', `${FLOWS}?search=SIGN-UP`)).body.results.map((f: { slug: string }) => f.slug)).toEqual([
      'signup-2',
    ]);
    expect((await api('get', `${FLOWS}?search=%25`)).body.pagination.count).toBe(0);

    const patched = await api('patch', `${FLOWS}signup-2/`, { slug: 'signup-3', title: 'Join us' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ slug: 'signup-3', name: 'Sign-up 2', title: 'Join us' });
    expect((await api('get', `${FLOWS}signup-2/`)).status).toBe(404);
    expect((await api('get', `${STAGES}identification/${stage.pk}/`)).body.enrollment_flow_slug).toBe('signup-3');

    const put = await api('put', `${FLOWS}signup-3/`, { slug: 'signup-3', name: 'Renamed', designation: 'enrollment' });
    expect(put.body).toMatchObject({ name: 'Renamed', title: 'Join us' });
    expect((await api('put', `${FLOWS}signup-3/`, { name: 'No slug' })).body).toEqual({
      slug: ['This field is required.'],
      designation: ['This field is required.'],
    });

    expect((await api('delete', `${FLOWS}signup-3/`)).status).toBe(204);
    expect((await server.db.query(`SELECT 1 FROM flows WHERE slug = 'signup-3'`)).rowCount).toBe(0);
    expect(
      (await server.db.query('SELECT 1 FROM flow_stage_bindings WHERE stage_uuid = $1', [stage.pk])).rowCount,
    ).toBe(0);
    expect(
      (
        await server.db.query('SELECT enrollment_flow_slug FROM identification_stages WHERE stage_uuid = $1', [
          stage.pk,
        ])
      ).rows[0].enrollment_flow_slug,
    ).toBeNull();
    const deleted = await server.db.query(`SELECT context FROM events WHERE action = 'model_deleted'`);
    expect(deleted.rows.at(-1).context.model).toMatchObject({ model_name: 'flow', name: 'signup-3' });
  });

  it('moves, re-targets and deletes bindings', async () => {
    await created(FLOWS, { slug: 'binding-play', name: 'Binding play', designation: 'invalidation' });
    const logout = await created(`${STAGES}user_logout/`, { name: 'play-logout' });
    expect(logout).toEqual({
      pk: logout.pk,
      name: 'play-logout',
      component: 'ak-stage-user-logout-form',
      verbose_name: 'User Logout Stage',
      verbose_name_plural: 'User Logout Stages',
      meta_model_name: 'authentik_stages_user_logout.userlogoutstage',
      flow_set: [],
    });
    const first = await created(BINDINGS, { target: await flowPk('binding-play'), stage: logout.pk, order: 1 });
    const second = await created(BINDINGS, { target: await flowPk('binding-play'), stage: logout.pk, order: 2 });

    const clash = await api('patch', `${BINDINGS}${second.pk}/`, { order: 1 });
    expect(clash.status).toBe(400);
    expect(clash.body.order[0]).toMatch(/already has a stage bound at order 1/);
    expect((await api('patch', `${BINDINGS}${second.pk}/`, { order: 5 })).body.order).toBe(5);
    // A binding may move to another flow, where its order is checked again.
    const moved = await api('put', `${BINDINGS}${first.pk}/`, {
      target: await flowPk('default-invalidation-flow'),
      stage: logout.pk,
      order: 7,
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ target: await flowPk('default-invalidation-flow'), order: 7 });

    expect((await api('delete', `${BINDINGS}${first.pk}/`)).status).toBe(204);
    expect(
      (await server.db.query('SELECT binding_uuid FROM flow_stage_bindings WHERE stage_uuid = $1', [logout.pk])).rows,
    ).toEqual([{ binding_uuid: second.pk }]);
    expect((await api('get', `${BINDINGS}${first.pk}/`)).status).toBe(404);
  });

  it('manages prompt and user_write stages, lists all stages, and deletes a bound stage with its bindings', async () => {
    const fields = [
      { field_key: 'nickname', label: 'Nickname', type: 'text', required: true, placeholder: 'Nick', order: 1 },
      { field_key: 'newsletter', label: 'Newsletter?', type: 'checkbox' },
    ];
    const prompt = await created(`${STAGES}prompt/`, { name: 'api-prompt', fields });
    expect(prompt.fields).toEqual([fields[0], { ...fields[1], required: false, order: 1 }]);
    const patched = await api('patch', `${STAGES}prompt/${prompt.pk}/`, { fields: [fields[0]], name: 'api-prompt-2' });
    expect(patched.body).toMatchObject({ name: 'api-prompt-2', fields: [fields[0]] });
    expect(
      (await server.db.query('SELECT fields FROM prompt_stages WHERE stage_uuid = $1', [prompt.pk])).rows[0].fields,
    ).toEqual([fields[0]]);

    const write = await created(`${STAGES}user_write/`, { name: 'api-write' });
    expect(write.create_users_as_inactive).toBe(false);
    expect(
      (await api('put', `${STAGES}user_write/${write.pk}/`, { name: 'api-write', create_users_as_inactive: true })).body
        .create_users_as_inactive,
    ).toBe(true);
    expect(
      (
        await server.db.query('SELECT create_users_as_inactive FROM user_write_stages WHERE stage_uuid = $1', [
          write.pk,
        ])
      ).rows[0].create_users_as_inactive,
    ).toBe(true);

    const all = await api('get', `${STAGES}all/?type=prompt`);
    expect(all.body.results.map((s: { name: string }) => s.name)).toEqual([
      'api-prompt-2',
      'default-enrollment-prompt',
    ]);
    expect((await api('get', `${STAGES}all/?search=API-WR`)).body.results).toEqual([
      {
        pk: write.pk,
        name: 'api-write',
        type: 'user_write',
        component: 'ak-stage-user-write-form',
        verbose_name: 'User Write Stage',
        verbose_name_plural: 'User Write Stages',
        meta_model_name: 'authentik_stages_user_write.userwritestage',
        flow_set: [],
      },
    ]);
    expect(
      (await api('get', `${STAGES}password/?search=default`)).body.results.map((s: { name: string }) => s.name),
    ).toEqual(['default-authentication-password']);
    // The typed routes only answer for their own type.
    expect((await api('get', `${STAGES}password/${prompt.pk}/`)).status).toBe(404);

    const bound = await stagePk('default-enrollment-prompt');
    expect((await api('delete', `${STAGES}all/${bound}/`)).status).toBe(204);
    for (const table of ['stages', 'prompt_stages', 'flow_stage_bindings']) {
      expect((await server.db.query(`SELECT 1 FROM ${table} WHERE stage_uuid = $1`, [bound])).rowCount).toBe(0);
    }
    expect((await api('delete', `${STAGES}user_write/${write.pk}/`)).status).toBe(204);
    expect((await server.db.query('SELECT 1 FROM user_write_stages WHERE stage_uuid = $1', [write.pk])).rowCount).toBe(
      0,
    );
  });

  it('answers every invalid write with 400 {field: [message]} and writes nothing', async () => {
    const target = await flowPk('default-authentication-flow');
    const stage = await stagePk('default-authentication-password');
    const cases: Array<[string, Method, string, unknown, string]> = [
      ['bad slug', 'post', FLOWS, { slug: 'has space', name: 'x', designation: 'authentication' }, 'slug'],
      [
        'duplicate slug',
        'post',
        FLOWS,
        { slug: 'default-authentication-flow', name: 'x', designation: 'authentication' },
        'slug',
      ],
      ['bad designation', 'post', FLOWS, { slug: 'ok-slug', name: 'x', designation: 'login' }, 'designation'],
      [
        'unknown flow field',
        'post',
        FLOWS,
        { slug: 'ok-slug', name: 'x', designation: 'authentication', color: 'red' },
        'color',
      ],
      ['body is a list', 'post', FLOWS, [1], 'non_field_errors'],
      [
        'slug taken on rename',
        'patch',
        `${FLOWS}default-enrollment-flow/`,
        { slug: 'default-authentication-flow' },
        'slug',
      ],
      ['duplicate order', 'post', BINDINGS, { target, stage, order: 20 }, 'order'],
      ['unknown stage', 'post', BINDINGS, { target, stage: MISSING, order: 99 }, 'stage'],
      ['unknown flow', 'post', BINDINGS, { target: MISSING, stage, order: 99 }, 'target'],
      ['malformed stage uuid', 'post', BINDINGS, { target, stage: 'nope', order: 99 }, 'stage'],
      ['fractional order', 'post', BINDINGS, { target, stage, order: 1.5 }, 'order'],
      ['order beyond int4', 'post', BINDINGS, { target, stage, order: 2 ** 31 }, 'order'],
      [
        'prompt field type',
        'post',
        `${STAGES}prompt/`,
        { name: 'p1', fields: [{ field_key: 'a', label: 'A', type: 'date' }] },
        'fields',
      ],
      [
        'prompt field key',
        'post',
        `${STAGES}prompt/`,
        { name: 'p1', fields: [{ field_key: 'has space', label: 'A', type: 'text' }] },
        'fields',
      ],
      [
        'prompt duplicate key',
        'post',
        `${STAGES}prompt/`,
        {
          name: 'p1',
          fields: [
            { field_key: 'a', label: 'A', type: 'text' },
            { field_key: 'a', label: 'B', type: 'email' },
          ],
        },
        'fields',
      ],
      ['prompt fields not a list', 'post', `${STAGES}prompt/`, { name: 'p1', fields: 'username' }, 'fields'],
      ['empty user_fields', 'post', `${STAGES}identification/`, { name: 'i1', user_fields: [] }, 'user_fields'],
      ['unknown user field', 'post', `${STAGES}identification/`, { name: 'i1', user_fields: ['phone'] }, 'user_fields'],
      [
        'unknown enrollment flow',
        'post',
        `${STAGES}identification/`,
        { name: 'i1', enrollment_flow_slug: 'nope' },
        'enrollment_flow_slug',
      ],
      [
        'attempts 0',
        'post',
        `${STAGES}password/`,
        { name: 'pw1', failed_attempts_before_cancel: 0 },
        'failed_attempts_before_cancel',
      ],
      [
        'attempts 101',
        'post',
        `${STAGES}password/`,
        { name: 'pw1', failed_attempts_before_cancel: 101 },
        'failed_attempts_before_cancel',
      ],
      [
        'inactive not bool',
        'post',
        `${STAGES}user_write/`,
        { name: 'uw1', create_users_as_inactive: 'yes' },
        'create_users_as_inactive',
      ],
      ['name taken (password)', 'post', `${STAGES}password/`, { name: 'default-authentication-login' }, 'name'],
      ['name taken (logout)', 'post', `${STAGES}user_logout/`, { name: 'default-authentication-password' }, 'name'],
      ['name missing', 'post', `${STAGES}user_logout/`, {}, 'name'],
      [
        'name taken on rename',
        'patch',
        `${STAGES}password/${stage}/`,
        { name: 'default-authentication-login' },
        'name',
      ],
      [
        'order taken on move',
        'patch',
        `${BINDINGS}${(await api('get', `${BINDINGS}?target=${target}`)).body.results[0].pk}/`,
        { order: 30 },
        'order',
      ],
    ];
    const before = await counts();
    const stored = (await server.db.query('SELECT * FROM stages ORDER BY name')).rows;
    for (const [label, method, path, body, field] of cases) {
      const response = await api(method, path, body as object);
      expect(response.status, label).toBe(400);
      expect(Object.keys(response.body), label).toEqual([field]);
      expect(
        response.body[field].every((message: unknown) => typeof message === 'string' && message.length > 0),
        label,
      ).toBe(true);
    }
    expect(await counts()).toEqual(before);
    expect((await server.db.query('SELECT * FROM stages ORDER BY name')).rows).toEqual(stored);
  });

  it('lets exactly one of several concurrent creates of one slug, stage name or order win; the rest get 400, never 500', async () => {
    await created(FLOWS, { slug: 'race-target', name: 'Race target', designation: 'authentication' });
    const target = await flowPk('race-target');
    const stage = await stagePk('default-authentication-password');
    const races: Array<[string, object, string]> = [
      [FLOWS, { slug: 'race', name: 'Race', designation: 'authentication' }, 'slug'],
      [`${STAGES}password/`, { name: 'race-password' }, 'name'],
      [BINDINGS, { target, stage, order: 1 }, 'order'],
    ];
    for (const [path, body, field] of races) {
      const responses = await Promise.all(Array.from({ length: 6 }, () => api('post', path, body)));
      expect(responses.map((r) => r.status).toSorted(), path).toEqual([201, 400, 400, 400, 400, 400]);
      for (const response of responses.filter((r) => r.status === 400))
        expect(Object.keys(response.body), path).toEqual([field]);
    }
    expect(
      Number((await server.db.query(`SELECT count(*) FROM stages WHERE name = 'race-password'`)).rows[0].count),
    ).toBe(1);
    expect(
      Number(
        (
          await server.db.query(
            `SELECT count(*) FROM password_stages p JOIN stages s USING (stage_uuid) WHERE s.name = 'race-password'`,
          )
        ).rows[0].count,
      ),
    ).toBe(1);
    expect(
      Number(
        (await server.db.query('SELECT count(*) FROM flow_stage_bindings WHERE flow_uuid = $1', [target])).rows[0]
          .count,
      ),
    ).toBe(1);
  });

  it('refuses anonymous callers (401) and non-admins (403), and answers malformed ids with 404', async () => {
    await createUser(server, 'bob', 'bob-password-1');
    const bob = new Browser(server.http);
    await login(bob, 'bob', 'bob-password-1');
    const before = await counts();
    for (const path of [
      FLOWS,
      BINDINGS,
      `${STAGES}identification/`,
      `${STAGES}password/`,
      `${STAGES}prompt/`,
      `${STAGES}user_write/`,
      `${STAGES}user_logout/`,
    ]) {
      expect((await request(server.http).get(path)).status, path).toBe(401);
      expect((await request(server.http).post(path).send({ name: 'x' })).status, path).toBe(401);
      expect((await bob.get(path)).status, path).toBe(403);
      expect(
        (await bob.post(path, { name: 'sneaky', slug: 'sneaky', designation: 'authentication' })).status,
        path,
      ).toBe(403);
    }
    const binding = (await api('get', BINDINGS)).body.results[0].pk;
    const stage = await stagePk('default-authentication-password');
    for (const path of [
      `${BINDINGS}${binding}/`,
      `${STAGES}all/${stage}/`,
      `${STAGES}password/${stage}/`,
      `${FLOWS}default-authentication-flow/`,
    ]) {
      expect((await request(server.http).delete(path)).status, path).toBe(401);
      expect((await bob.get(path)).status, path).toBe(403);
      expect((await bob.delete(path)).status, path).toBe(403);
    }
    expect((await request(server.http).get(`${STAGES}all/`)).status).toBe(401);
    expect((await bob.get(`${STAGES}all/`)).status).toBe(403);
    expect(await counts()).toEqual(before);

    for (const path of [
      `${BINDINGS}not-a-uuid/`,
      `${STAGES}all/123/`,
      `${STAGES}prompt/not-a-uuid/`,
      `${FLOWS}bad%20slug/`,
      `${BINDINGS}${MISSING}/`,
      `${STAGES}all/${MISSING}/`,
      `${FLOWS}no-such-flow/`,
    ]) {
      expect((await api('get', path)).status, path).toBe(404);
      expect((await api('delete', path)).status, path).toBe(404);
      expect((await api('patch', path, { name: 'x' })).status, path).toBe(404);
    }
    expect(await counts()).toEqual(before);
  });
});
