import { hashToken, verifyPassword } from '@idp/core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, setCookieLine } from './support/http.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './support/test-server.js';

const FLOW = '/api/v3/flows/executor/default-enrollment-flow/';
const GOOD = {
  username: 'newcomer',
  email: 'newcomer@example.test',
  password: 'a-long-passphrase',
  password_repeat: 'a-long-passphrase',
};

describe('default enrollment flow: prompt, user_write, user_login', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  async function usernames(): Promise<string[]> {
    const { rows } = await server.db.query('SELECT username FROM users ORDER BY pk');
    return rows.map((row: { username: string }) => row.username);
  }

  async function sessionCount(): Promise<number> {
    return Number((await server.db.query('SELECT count(*) AS n FROM sessions')).rows[0].n);
  }

  async function enroll(answers: Record<string, unknown>) {
    const browser = new Browser(server.http);
    const first = await browser.get(FLOW);
    const response = await browser.post(FLOW, { component: 'ak-stage-prompt', ...answers });
    return { browser, first, response };
  }

  it('asks for the four fields of default-enrollment-prompt, in order', async () => {
    const { first } = await enroll({});
    expect(first.status).toBe(200);
    expect(first.body.component).toBe('ak-stage-prompt');
    expect(first.body.flow_info).toMatchObject({ slug: 'default-enrollment-flow', designation: 'enrollment' });
    expect(first.body.fields).toEqual([
      { field_key: 'username', label: 'Username', type: 'username', required: true, placeholder: 'Username', order: 0 },
      { field_key: 'email', label: 'Email', type: 'email', required: true, placeholder: 'Email', order: 1 },
      { field_key: 'password', label: 'Password', type: 'password', required: true, placeholder: 'Password', order: 2 },
      {
        field_key: 'password_repeat',
        label: 'Password (repeat)',
        type: 'password',
        required: true,
        placeholder: 'Password (repeat)',
        order: 3,
      },
    ]);
  });

  it('from an empty user table to users/me 200: an active user with an argon2id hash, a session and events', async () => {
    expect(await usernames()).toEqual(['akadmin']);
    const { browser, response } = await enroll(GOOD);
    expect(response.body).toMatchObject({ component: 'xak-flow-redirect', to: '/' });
    expect(setCookieLine(response, 'idp_session')).toMatch(/HttpOnly/i);

    const me = await browser.get('/api/v3/core/users/me/');
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({
      username: 'newcomer',
      email: 'newcomer@example.test',
      is_active: true,
      is_superuser: false,
    });

    const { rows } = await server.db.query(`SELECT pk, password, is_active FROM users WHERE username = 'newcomer'`);
    expect(rows[0].password).toMatch(/^\$argon2id\$/);
    await expect(verifyPassword(rows[0].password, GOOD.password)).resolves.toBe(true);
    const sessions = await server.db.query('SELECT browser_session FROM sessions WHERE user_pk = $1', [rows[0].pk]);
    expect(sessions.rows).toEqual([{ browser_session: true }]);

    const created = await server.db.query(
      `SELECT "user", context, client_ip FROM events WHERE action = 'model_created' AND app = 'idp.flows'`,
    );
    expect(created.rows).toHaveLength(1);
    expect(created.rows[0].user).toMatchObject({ username: 'newcomer' });
    expect(created.rows[0].context.model).toEqual({
      app: 'core',
      model_name: 'user',
      pk: rows[0].pk,
      name: 'newcomer',
    });
    expect(JSON.stringify(created.rows[0])).not.toContain(GOOD.password);
    const loginEvent = await server.db.query(
      `SELECT 1 FROM events WHERE action = 'login' AND "user"->>'username' = 'newcomer'`,
    );
    expect(loginEvent.rowCount).toBe(1);
    // The finished flow leaves no state behind, so the password is nowhere in the database.
    expect(
      await server.db.query('SELECT 1 FROM flow_executions WHERE context::text LIKE $1', [`%${GOOD.password}%`]),
    ).toMatchObject({ rowCount: 0 });

    const admin = await request(server.http)
      .get('/api/v3/core/users/?search=newcomer')
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`);
    expect(admin.body.results.map((user: { username: string }) => user.username)).toEqual(['newcomer']);
  });

  it('create_users_as_inactive: the user is written inactive, and the login stage then denies without a session', async () => {
    // There is no admin route for user_write stages yet, so the setting is flipped in the table.
    await server.db.query(`UPDATE user_write_stages SET create_users_as_inactive = true`);
    try {
      const before = await sessionCount();
      const { response } = await enroll({ ...GOOD, username: 'awaits-approval' });
      expect(response.body).toMatchObject({
        component: 'ak-stage-access-denied',
        error_message: 'This account is disabled. Ask an administrator to enable it.',
      });
      const { rows } = await server.db.query(`SELECT is_active FROM users WHERE username = 'awaits-approval'`);
      expect(rows).toEqual([{ is_active: false }]);
      expect(await sessionCount()).toBe(before);
    } finally {
      await server.db.query(`UPDATE user_write_stages SET create_users_as_inactive = false`);
    }
  });

  describe('rejections: response_errors, and no user, no session', () => {
    it.each([
      [
        'a taken username',
        { username: 'akadmin' },
        'username',
        { string: 'A user with that username already exists.', code: 'unique' },
      ],
      [
        'a password that is too short',
        { password: 'short', password_repeat: 'short' },
        'password',
        { string: 'Ensure this password has at least 8 characters.', code: 'password_too_short' },
      ],
      [
        'an all-digit password',
        { password: '1234567890', password_repeat: '1234567890' },
        'password',
        { string: 'This password is entirely numeric.', code: 'password_entirely_numeric' },
      ],
      [
        'a mismatched repeat',
        { password_repeat: 'another-long-passphrase' },
        'password_repeat',
        { string: "Passwords don't match.", code: 'password_mismatch' },
      ],
      ['a missing email', { email: undefined }, 'email', { string: 'This field is required.', code: 'required' }],
      ['an empty username', { username: '   ' }, 'username', { string: 'This field is required.', code: 'required' }],
      [
        'a bad email',
        { email: 'not-an-address' },
        'email',
        { string: 'Enter a valid email address.', code: 'invalid' },
      ],
      [
        'a username with spaces',
        { username: 'new comer' },
        'username',
        { string: 'Enter a valid username of up to 150 letters, digits and @/./+/-/_ characters.', code: 'invalid' },
      ],
      [
        'a password that is not a string',
        { password: 12345678, password_repeat: 12345678 },
        'password',
        { string: 'Not a valid string.', code: 'invalid' },
      ],
    ])('%s', async (_label, change, field, error) => {
      const before = { users: await usernames(), sessions: await sessionCount() };
      const answers = { ...GOOD, username: 'rejected-user', ...change };
      const { browser, response } = await enroll(answers);
      expect(response.status).toBe(200);
      expect(response.body.component).toBe('ak-stage-prompt');
      expect(response.body.response_errors[field]).toEqual([error]);
      expect(setCookieLine(response, 'idp_session')).toBeUndefined();
      expect(await usernames()).toEqual(before.users);
      expect(await sessionCount()).toBe(before.sessions);
      expect((await browser.get('/api/v3/core/users/me/')).status).toBe(401);
    });

    it('reports every wrong field at once', async () => {
      const { response } = await enroll({ username: '', email: 'nope', password: 'short', password_repeat: 'other' });
      expect(Object.keys(response.body.response_errors).toSorted()).toEqual([
        'email',
        'password',
        'password_repeat',
        'username',
      ]);
    });

    it('a corrected answer in the same flow then succeeds', async () => {
      const { browser, response } = await enroll({ ...GOOD, username: 'second-try', password_repeat: 'typo' });
      expect(response.body.response_errors.password_repeat[0].code).toBe('password_mismatch');
      const fixed = await browser.post(FLOW, { ...GOOD, username: 'second-try' });
      expect(fixed.body.component).toBe('xak-flow-redirect');
      expect((await browser.get('/api/v3/core/users/me/')).body.user.username).toBe('second-try');
    });

    it('a username taken after the prompt accepted it: user_write denies with a clear message and creates nothing', async () => {
      // Two people can pass the prompt with the same free name; whoever reaches user_write second
      // must lose cleanly. Place a browser at user_write with answers whose name is now taken.
      const browser = new Browser(server.http);
      await browser.get(FLOW);
      const taken = await request(server.http)
        .post('/api/v3/core/users/')
        .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
        .send({ username: 'racer', email: 'racer@example.test' });
      expect(taken.status).toBe(201);
      const moved = await server.db.query(
        `UPDATE flow_executions SET position = 1, context = context || jsonb_build_object('prompt_data', $2::jsonb) WHERE token_hash = $1`,
        [
          hashToken(browser.cookie('idp_flow')!),
          JSON.stringify({ username: 'racer', email: 'other@example.test', password: 'a-long-passphrase' }),
        ],
      );
      expect(moved.rowCount).toBe(1);
      const before = { users: await usernames(), sessions: await sessionCount() };

      const denied = await browser.get(FLOW);
      expect(denied.body).toMatchObject({
        component: 'ak-stage-access-denied',
        error_message: 'A user with that username already exists.',
      });
      expect(await usernames()).toEqual(before.users);
      expect(await sessionCount()).toBe(before.sessions);
      const racer = await server.db.query(`SELECT email FROM users WHERE username = 'racer'`);
      expect(racer.rows).toEqual([{ email: 'racer@example.test' }]);
    });
  });
});
