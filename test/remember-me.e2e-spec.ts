import { hashToken } from '@idp/core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, cookieFrom, setCookieLine } from './support/http.js';
import { ADMIN_PASSWORD, ADMIN_TOKEN, startTestServer, type TestServer } from './support/test-server.js';

const FLOW = '/api/v3/flows/executor/default-authentication-flow/';
const STAGES = '/api/v3/stages/user_login/';
const DAY = 86_400;

interface TableRow {
  sessionDuration: string;
  rememberMeOffset: string;
  prompt: boolean;
  answer?: boolean;
  /** Expected seconds until the session ends; 0 = a browser session. */
  totalSeconds: number;
}

// The table, row by row.
const TABLE: TableRow[] = [
  { sessionDuration: 'seconds=0', rememberMeOffset: 'seconds=0', prompt: false, totalSeconds: 0 },
  { sessionDuration: 'hours=8', rememberMeOffset: 'seconds=0', prompt: false, totalSeconds: 8 * 3600 },
  {
    sessionDuration: 'hours=8',
    rememberMeOffset: 'days=30',
    prompt: true,
    answer: true,
    totalSeconds: 8 * 3600 + 30 * DAY,
  },
  { sessionDuration: 'hours=8', rememberMeOffset: 'days=30', prompt: true, answer: false, totalSeconds: 8 * 3600 },
  { sessionDuration: 'seconds=0', rememberMeOffset: 'days=30', prompt: true, answer: true, totalSeconds: 30 * DAY },
  { sessionDuration: 'seconds=0', rememberMeOffset: 'days=30', prompt: true, answer: false, totalSeconds: 0 },
  { sessionDuration: 'hours=1', rememberMeOffset: 'hours=-5', prompt: false, totalSeconds: 3600 },
];

function expectPrompt(body: Record<string, unknown>, username = 'akadmin'): void {
  expect(body).toMatchObject({
    component: 'ak-stage-user-login',
    pending_user: username,
    pending_user_avatar: expect.any(String),
  });
}

describe('"Stay signed in?" and the session lifetime (docs/api.md, Lifetimes)', () => {
  let server: TestServer;
  let stagePk: string;
  const observed: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    const list = await request(server.http)
      .get(`${STAGES}?name=default-authentication-login`)
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`);
    expect(list.status).toBe(200);
    stagePk = list.body.results.find((stage: { name: string }) => stage.name === 'default-authentication-login').pk;
  });
  afterAll(async () => {
    // REMEMBER_ME_TABLE=1 prints what the server answered per row (for the note).
    if (process.env.REMEMBER_ME_TABLE)
      console.log(
        [
          'session_duration | remember_me_offset | answer | prompt | Max-Age | expires-now (s) | browser_session',
          ...observed,
        ].join('\n'),
      );
    await server?.close();
  });

  async function configure(sessionDuration: string, rememberMeOffset: string): Promise<void> {
    const response = await request(server.http)
      .patch(`${STAGES}${stagePk}/`)
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
      .send({ session_duration: sessionDuration, remember_me_offset: rememberMeOffset });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ session_duration: sessionDuration, remember_me_offset: rememberMeOffset });
  }

  /** A browser that has passed identification and password and now stands at the login stage. */
  async function atLoginStage(
    username = 'akadmin',
    password = ADMIN_PASSWORD,
  ): Promise<{ browser: Browser; response: Awaited<ReturnType<Browser['post']>> }> {
    const browser = new Browser(server.http);
    await browser.get(FLOW);
    await browser.post(FLOW, { component: 'ak-stage-identification', uid_field: username });
    const response = await browser.post(FLOW, { component: 'ak-stage-password', password });
    return { browser, response };
  }

  async function sessionCount(): Promise<number> {
    return Number((await server.db.query('SELECT count(*) AS n FROM sessions')).rows[0].n);
  }

  async function storedSession(response: { headers: Record<string, unknown> }) {
    const token = cookieFrom(response, 'idp_session')!.split('=')[1];
    const { rows } = await server.db.query('SELECT expires, browser_session FROM sessions WHERE token_hash = $1', [
      hashToken(token),
    ]);
    expect(rows).toHaveLength(1);
    return { expires: new Date(rows[0].expires), browserSession: rows[0].browser_session as boolean };
  }

  it.each(TABLE)(
    'session_duration=$sessionDuration, remember_me_offset=$rememberMeOffset, answer=$answer: prompt=$prompt, lasts $totalSeconds s (0 = browser session)',
    async (row) => {
      await configure(row.sessionDuration, row.rememberMeOffset);
      const before = await sessionCount();
      const { browser, response: afterPassword } = await atLoginStage();

      let done = afterPassword;
      if (row.prompt) {
        expectPrompt(afterPassword.body);
        expect(setCookieLine(afterPassword, 'idp_session')).toBeUndefined();
        // Asking again (a reload) shows the same question and still creates nothing.
        const again = await browser.get(FLOW);
        expectPrompt(again.body);
        expect(await sessionCount()).toBe(before);
        done = await browser.post(FLOW, { component: 'ak-stage-user-login', remember_me: row.answer });
      }
      expect(done.body.component).toBe('xak-flow-redirect');
      const now = server.clock.now().getTime();

      const line = setCookieLine(done, 'idp_session')!;
      expect(line).toBeDefined();
      const stored = await storedSession(done);
      const remaining = Math.round((stored.expires.getTime() - now) / 1000);
      if (row.totalSeconds === 0) {
        expect(line).not.toMatch(/Max-Age|Expires/i);
        expect(stored.browserSession).toBe(true);
        // The server keeps a browser session for SESSION_BROWSER_IDLE (default days=1).
        expect(Math.abs(remaining - DAY)).toBeLessThanOrEqual(5);
      } else {
        expect(line).toContain(`Max-Age=${row.totalSeconds};`);
        const expiresAttribute = /Expires=([^;]+)/i.exec(line)?.[1];
        expect(expiresAttribute).toBeDefined();
        expect(Math.abs(Date.parse(expiresAttribute!) - (now + row.totalSeconds * 1000))).toBeLessThanOrEqual(5_000);
        expect(stored.browserSession).toBe(false);
        expect(Math.abs(remaining - row.totalSeconds)).toBeLessThanOrEqual(5);
      }
      expect(await sessionCount()).toBe(before + 1);
      expect((await browser.get('/api/v3/core/users/me/')).status).toBe(200);
      const maxAge = /Max-Age=(\d+)/i.exec(line)?.[1] ?? 'none';
      observed.push(
        `${row.sessionDuration} | ${row.rememberMeOffset} | ${row.answer ?? '-'} | ${row.prompt ? 'yes' : 'no'} | ${maxAge} | ${remaining} | ${stored.browserSession}`,
      );
    },
  );

  describe('the prompt refuses answers that are not a boolean', () => {
    beforeAll(() => configure('hours=8', 'days=30'));

    it('missing remember_me: the challenge again with code required, and no session', async () => {
      const before = await sessionCount();
      const { browser } = await atLoginStage();
      const response = await browser.post(FLOW, { component: 'ak-stage-user-login' });
      expect(response.status).toBe(200);
      expectPrompt(response.body);
      expect(response.body.response_errors).toEqual({
        remember_me: [{ string: 'This field is required.', code: 'required' }],
      });
      expect(setCookieLine(response, 'idp_session')).toBeUndefined();
      expect(await sessionCount()).toBe(before);
    });

    it.each([
      ['the string "true"', 'true'],
      ['the number 1', 1],
      ['null', null],
      ['an object', { yes: true }],
    ])('remember_me = %s: code invalid, and no session', async (_label, value) => {
      const before = await sessionCount();
      const { browser } = await atLoginStage();
      const response = await browser.post(FLOW, { component: 'ak-stage-user-login', remember_me: value });
      expect(response.status).toBe(200);
      expectPrompt(response.body);
      expect(response.body.response_errors).toEqual({
        remember_me: [{ string: 'Must be a valid boolean.', code: 'invalid' }],
      });
      expect(setCookieLine(response, 'idp_session')).toBeUndefined();
      expect(await sessionCount()).toBe(before);
    });

    it('a user deactivated while the question is on screen is denied, whatever the answer, and gets no session', async () => {
      const auth = { Authorization: `Bearer ${ADMIN_TOKEN}` };
      const created = await request(server.http)
        .post('/api/v3/core/users/')
        .set(auth)
        .send({ username: 'hesitant', password: 'hesitant-password' });
      expect(created.status).toBe(201);
      for (const answer of [true, 'maybe']) {
        await request(server.http).patch(`/api/v3/core/users/${created.body.pk}/`).set(auth).send({ is_active: true });
        const { browser, response } = await atLoginStage('hesitant', 'hesitant-password');
        expectPrompt(response.body, 'hesitant');
        await request(server.http).patch(`/api/v3/core/users/${created.body.pk}/`).set(auth).send({ is_active: false });
        const denied = await browser.post(FLOW, { component: 'ak-stage-user-login', remember_me: answer });
        expect(denied.body).toMatchObject({
          component: 'ak-stage-access-denied',
          error_message: 'This account is disabled. Ask an administrator to enable it.',
        });
        const sessions = await server.db.query('SELECT count(*) AS n FROM sessions WHERE user_pk = $1', [
          created.body.pk,
        ]);
        expect(Number(sessions.rows[0].n)).toBe(0);
      }
    });

    it('a valid answer after a refused one still logs in, with the offset', async () => {
      const { browser } = await atLoginStage();
      await browser.post(FLOW, { component: 'ak-stage-user-login', remember_me: 'yes' });
      const done = await browser.post(FLOW, { component: 'ak-stage-user-login', remember_me: true });
      expect(done.body.component).toBe('xak-flow-redirect');
      expect(setCookieLine(done, 'idp_session')).toContain(`Max-Age=${8 * 3600 + 30 * DAY};`);
    });
  });

  describe('an offset <= 0 never prompts, on GET or on POST', () => {
    it.each(['seconds=0', 'hours=-5', 'seconds=-1'])(
      'offset %s: a GET at the login stage logs in at once without the offset',
      async (offset) => {
        await configure('hours=2', 'days=30');
        const { browser, response } = await atLoginStage();
        expectPrompt(response.body);
        // The operator switches the prompt off while this browser waits at it.
        await configure('hours=2', offset);
        const before = await sessionCount();
        const done = await browser.get(FLOW);
        expect(done.body.component).toBe('xak-flow-redirect');
        expect(setCookieLine(done, 'idp_session')).toContain('Max-Age=7200;');
        expect(await sessionCount()).toBe(before + 1);
      },
    );

    it.each([
      ['seconds=0', true],
      ['hours=-5', true],
      ['seconds=0', 'not-a-boolean'],
    ])('offset %s: a POST with remember_me=%j is not validated and adds nothing', async (offset, answer) => {
      await configure('hours=2', 'days=30');
      const { browser } = await atLoginStage();
      await configure('hours=2', offset);
      const before = await sessionCount();
      const done = await browser.post(FLOW, { component: 'ak-stage-user-login', remember_me: answer });
      expect(done.body.component).toBe('xak-flow-redirect');
      expect(done.body.response_errors).toBeUndefined();
      expect(setCookieLine(done, 'idp_session')).toContain('Max-Age=7200;');
      const stored = await storedSession(done);
      expect(Math.abs(stored.expires.getTime() - server.clock.now().getTime() - 7_200_000)).toBeLessThanOrEqual(5_000);
      expect(await sessionCount()).toBe(before + 1);
    });

    it('with a browser-session stage and offset 0, the password POST ends the flow with no prompt and no Max-Age', async () => {
      await configure('seconds=0', 'seconds=0');
      const { response } = await atLoginStage();
      expect(response.body.component).toBe('xak-flow-redirect');
      expect(setCookieLine(response, 'idp_session')).not.toMatch(/Max-Age|Expires/i);
    });
  });
});
