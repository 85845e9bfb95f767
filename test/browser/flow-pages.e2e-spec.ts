import { hashToken } from '@idp/core';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../support/test-server.js';
import {
  adminApi,
  launchChromium,
  newContext,
  patchDefaultLoginStage,
  screenshot,
  signIn,
  startWebServer,
  type WebTestServer,
} from './support/browser.js';

describe('flow pages in Chromium', () => {
  let server: WebTestServer;
  let browser: Browser;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startWebServer(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('serves the pages with a strict CSP and their assets with the right types', async () => {
    const page = await fetch(`${server.baseUrl}/if/flow/default-authentication-flow/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const script = await fetch(`${server.baseUrl}/if/static/flow.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const css = await fetch(`${server.baseUrl}/if/static/app.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(`${server.baseUrl}/if/static/..%2Fweb.controller.ts`)).status).toBe(404);
    expect((await fetch(`${server.baseUrl}/if/static/nope.js`)).status).toBe(404);
    const root = await fetch(`${server.baseUrl}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/if/user/');
  });

  it('serves the same pages and redirects under the Express adapter', async () => {
    const express = await startTestServer({ adapter: 'express' });
    try {
      const page = await request(express.http).get('/if/flow/default-authentication-flow/');
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['content-security-policy']).toContain("default-src 'self'");
      const user = await request(express.http).get('/if/user/').set('Accept', 'text/html');
      expect(user.status).toBe(302);
      expect(user.headers.location).toBe('/flows/-/default/authentication/?next=%2Fif%2Fuser%2F');
      const login = await request(express.http).get('/flows/-/default/authentication/?next=/if/admin/');
      expect(login.headers.location).toBe('/if/flow/default-authentication-flow/?next=%2Fif%2Fadmin%2F');
      expect((await request(express.http).get('/if/static/app.css')).headers['content-type']).toBe(
        'text/css; charset=utf-8',
      );
    } finally {
      await express.close();
    }
  });

  it('sends a signed-out visitor from /if/user/ through identification and password and back', async () => {
    const context = await newContext(browser, server, { viewport: { width: 900, height: 700 } });
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') violations.push(message.text());
    });
    await page.goto('/if/user/');
    expect(new URL(page.url()).pathname).toBe('/if/flow/default-authentication-flow/');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/if/user/');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Welcome! Please sign in.');
    // The identifier field has the focus, so a keyboard user can type straight away.
    await expect.poll(() => page.locator(':focus').getAttribute('name')).toBe('uid_field');
    await screenshot(page, 'flow-identification');

    await page.keyboard.type('akadmin');
    await page.keyboard.press('Enter');
    await page.getByLabel('Password', { exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const password = page.getByLabel('Password', { exact: true });
    // argon2 takes its time on a busy machine: wait longer than expect.poll's default second.
    await expect.poll(() => password.getAttribute('aria-invalid'), { timeout: 15_000 }).toBe('true');
    const errorId = await password.getAttribute('aria-describedby');
    expect(await page.locator(`#${errorId}`).textContent()).toBe('Invalid password');
    await screenshot(page, 'flow-password');

    await password.fill('correct-horse-battery');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/if/user/');
    await page.getByRole('cell', { name: /This session/ }).waitFor();
    const sessions = await server.db.query(
      `SELECT s.last_user_agent FROM sessions s JOIN users u ON u.pk = s.user_pk WHERE u.username = 'akadmin'`,
    );
    expect(sessions.rows).toHaveLength(1);
    expect(sessions.rows[0].last_user_agent).toContain('Chrome');
    expect(violations).toEqual([]); // nothing the CSP blocked, no script errors
    await context.close();
  });

  it('asks "Stay signed in?": Yes gives a cookie that outlives the browser, No a browser session', async () => {
    const previous = await patchDefaultLoginStage(server, { remember_me_offset: 'days=30' });
    try {
      const yes = await newContext(browser, server, { viewport: { width: 900, height: 700 } });
      const page = await yes.newPage();
      await page.goto('/flows/-/default/authentication/?next=/if/user/');
      await page.getByLabel('Username or email').fill('akadmin');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('Password', { exact: true }).fill('correct-horse-battery');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Stay signed in?' }).waitFor();
      // The question says for how long each answer keeps the person signed in.
      expect(await page.locator('#remember-question').textContent()).toBe(
        'Yes keeps you signed in on this device for 30 days; No, until you close the browser. Choose No on a shared or public computer.',
      );
      await screenshot(page, 'flow-stay-signed-in');
      await page.getByRole('button', { name: 'Yes' }).click();
      await page.waitForURL('**/if/user/');
      const kept = (await yes.cookies()).find((c) => c.name === 'idp_session')!;
      expect(kept.expires).toBeGreaterThan(Date.now() / 1000 + 29 * 86_400);

      const no = await newContext(browser, server);
      await signIn(await no.newPage(), { rememberMe: false });
      const session = (await no.cookies()).find((c) => c.name === 'idp_session')!;
      expect(session.expires).toBe(-1); // a session cookie: gone when the browser closes

      const rows = await server.db.query(
        `SELECT browser_session, extract(epoch FROM expires - created) AS seconds FROM sessions ORDER BY created DESC LIMIT 2`,
      );
      expect(rows.rows.map((r: { browser_session: boolean }) => r.browser_session)).toEqual([true, false]);
      expect(Number(rows.rows[1].seconds)).toBeCloseTo(30 * 86_400, -1);
      await yes.close();
      await no.close();
    } finally {
      await adminApi(server, 'PATCH', `/api/v3/stages/user_login/${previous.pk}/`, {
        remember_me_offset: previous.remember_me_offset,
      });
    }
  });

  it('"Not you?" restarts the flow at identification, from the password step and from "Stay signed in?"', async () => {
    const created = await adminApi(server, 'POST', '/api/v3/core/users/', {
      username: 'erin',
      email: 'erin@example.test',
      password: 'erin-password-1',
    });
    expect(created.status).toBe(201);
    const context = await newContext(browser, server, { viewport: { width: 900, height: 700 } });
    const page = await context.newPage();
    // Signed in already: starting over must not sign anyone out.
    await signIn(page);
    const sessionBefore = (await context.cookies()).find((c) => c.name === 'idp_session')!.value;
    const akadminSessions = `SELECT s.token_hash FROM sessions s JOIN users u ON u.pk = s.user_pk WHERE u.username = 'akadmin'`;
    const akadminSessionsBefore = (await server.db.query(akadminSessions)).rows.length;
    const flowRow = async () => {
      const token = (await context.cookies()).find((c) => c.name === 'idp_flow')?.value;
      if (!token) return undefined;
      const { rows } = await server.db.query('SELECT position FROM flow_executions WHERE token_hash = $1', [
        hashToken(token),
      ]);
      return rows[0];
    };

    await page.goto('/flows/-/default/authentication/?next=/if/user/');
    await page.getByLabel('Username or email').fill('akadmin');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Password', { exact: true }).waitFor();
    expect(await flowRow()).toEqual({ position: 1 });
    const pendingToken = (await context.cookies()).find((c) => c.name === 'idp_flow')!.value;
    await page.getByRole('button', { name: 'Not you?' }).click();

    const uid = page.getByLabel('Username or email');
    await uid.waitFor();
    expect(await uid.inputValue()).toBe('');
    await expect.poll(() => page.locator(':focus').getAttribute('name')).toBe('uid_field');
    // The old walk is gone from the database; a new one starts at the first stage.
    const old = await server.db.query('SELECT 1 FROM flow_executions WHERE token_hash = $1', [hashToken(pendingToken)]);
    expect(old.rows).toHaveLength(0);
    expect(await flowRow()).toEqual({ position: 0 });
    expect((await context.cookies()).find((c) => c.name === 'idp_session')?.value).toBe(sessionBefore);

    // From "Stay signed in?" too, and then sign in as someone else with `next` kept.
    const previous = await patchDefaultLoginStage(server, { remember_me_offset: 'days=1' });
    try {
      await uid.fill('akadmin');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('Password', { exact: true }).fill('correct-horse-battery');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Stay signed in?' }).waitFor();
      await page.getByRole('button', { name: 'Not you?' }).click();
      await uid.fill('erin');
      await page.getByRole('button', { name: 'Continue' }).click();
      expect(await page.locator('.who').textContent()).toContain('erin');
      await page.getByLabel('Password', { exact: true }).fill('erin-password-1');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'No', exact: true }).click();
      await page.waitForURL('**/if/user/');
      await expect.poll(() => page.locator('#signed-in-as').textContent()).toBe('Signed in as erin');
    } finally {
      await adminApi(server, 'PATCH', `/api/v3/stages/user_login/${previous.pk}/`, {
        remember_me_offset: previous.remember_me_offset,
      });
    }
    // The abandoned "Stay signed in?" step made no session, and starting over never ended the earlier one.
    const akadmin = await server.db.query(akadminSessions);
    expect(akadmin.rows.map((r: { token_hash: string }) => r.token_hash)).toContain(hashToken(sessionBefore));
    expect(akadmin.rows).toHaveLength(akadminSessionsBefore);
    await context.close();
  });

  it('shows access denied for an inactive user and creates no session', async () => {
    const created = await adminApi(server, 'POST', '/api/v3/core/users/', {
      username: 'dormant',
      email: 'dormant@example.test',
      password: 'dormant-password-1',
      is_active: false,
    });
    expect(created.status).toBe(201);
    const context = await newContext(browser, server, { viewport: { width: 900, height: 700 } });
    const page = await context.newPage();
    await page.goto('/flows/-/default/authentication/');
    await page.getByLabel('Username or email').fill('dormant');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Password', { exact: true }).fill('dormant-password-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Access denied' }).waitFor();
    expect(await page.getByRole('alert').textContent()).toBe(
      'This account is disabled. Ask an administrator to enable it.',
    );
    await screenshot(page, 'flow-access-denied');
    const sessions = await server.db.query(
      `SELECT 1 FROM sessions s JOIN users u ON u.pk = s.user_pk WHERE u.username = 'dormant'`,
    );
    expect(sessions.rows).toHaveLength(0);
    // "Start again" opens a fresh flow at identification.
    await page.getByRole('link', { name: 'Start again' }).click();
    await page.getByLabel('Username or email').waitFor();
    await context.close();
  });

  it('offers the sign-in page, not the same missing flow, when a flow does not exist', async () => {
    const context = await newContext(browser, server);
    const page = await context.newPage();
    await page.goto('/if/flow/no-such-flow/');
    expect(await page.getByRole('alert').textContent()).toBe('This sign-in flow does not exist.');
    await page.getByRole('link', { name: 'Go to sign in' }).click();
    await page.getByLabel('Username or email').waitFor();
    expect(new URL(page.url()).pathname).toBe('/if/flow/default-authentication-flow/');
    await context.close();
  });

  it('enrols a new user from the login page: prompt errors keep the typed values, then the user is signed in', async () => {
    const context = await newContext(browser, server, { viewport: { width: 900, height: 900 } });
    const page = await context.newPage();
    await page.goto('/flows/-/default/authentication/?next=/if/user/');
    await page.getByRole('link', { name: 'Create one' }).click();
    await page.getByRole('heading', { name: 'Create your account' }).waitFor();
    // The password rules show before the first try, and the way back to signing in is there.
    expect(await page.getByLabel('Password', { exact: true }).getAttribute('aria-describedby')).toBe(
      'field-password-hint',
    );
    expect(await page.locator('#field-password-hint').textContent()).toBe(
      'At least 8 characters, and not only digits.',
    );
    expect(await page.getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe(
      '/flows/-/default/authentication/?next=%2Fif%2Fuser%2F',
    );
    await page.getByLabel('Username').fill('dana');
    await page.getByLabel('Email').fill('dana@example.test');
    await page.getByLabel('Password', { exact: true }).fill('a-long-enough-password-1');
    await page.getByLabel('Password (repeat)').fill('a-different-password-2');
    await page.getByRole('button', { name: 'Continue' }).click();

    const repeat = page.getByLabel('Password (repeat)');
    await expect.poll(() => repeat.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#field-password_repeat-error').textContent()).toBe("Passwords don't match.");
    expect(await page.getByLabel('Username').inputValue()).toBe('dana');
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('');
    await screenshot(page, 'flow-enrollment');
    expect((await server.db.query(`SELECT 1 FROM users WHERE username = 'dana'`)).rows).toHaveLength(0);

    await page.getByLabel('Password', { exact: true }).fill('a-long-enough-password-1');
    await repeat.fill('a-long-enough-password-1');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL('**/if/user/');
    await expect.poll(() => page.locator('#signed-in-as').textContent()).toBe('Signed in as dana');
    const user = await server.db.query(
      `SELECT u.email, u.password, count(s.uuid)::int AS sessions FROM users u LEFT JOIN sessions s ON s.user_pk = u.pk WHERE u.username = 'dana' GROUP BY u.pk`,
    );
    expect(user.rows[0]).toMatchObject({ email: 'dana@example.test', sessions: 1 });
    expect(user.rows[0].password).toMatch(/^\$argon2id\$/);
    await context.close();
  });

  it('returns to a same-origin next after login, and to / (then /if/user/) for anything else', async () => {
    const redirect = await fetch(
      `${server.baseUrl}/flows/-/default/authentication/?next=${encodeURIComponent('https://evil.example/')}`,
      { redirect: 'manual' },
    );
    expect(redirect.headers.get('location')).toBe('/if/flow/default-authentication-flow/?next=%2F');

    const context = await newContext(browser, server);
    const page = await context.newPage();
    await signIn(page, { start: `/flows/-/default/authentication/?next=${encodeURIComponent('//evil.example/x')}` });
    expect(new URL(page.url()).origin).toBe(server.baseUrl);
    expect(new URL(page.url()).pathname).toBe('/if/user/');
    await context.close();

    const admin = await newContext(browser, server);
    const adminPage = await admin.newPage();
    await signIn(adminPage, { start: '/if/admin/' });
    expect(new URL(adminPage.url()).pathname).toBe('/if/admin/');
    await admin.close();
  });

  it('signs out through the invalidation flow: the session row is gone and /if/user/ asks to log in', async () => {
    const context = await newContext(browser, server);
    const page = await context.newPage();
    await signIn(page);
    const before = await server.db.query('SELECT count(*)::int AS n FROM sessions');
    await page.getByRole('link', { name: 'Sign out' }).first().click();
    await page.waitForURL('**/if/flow/default-authentication-flow/**');
    const after = await server.db.query('SELECT count(*)::int AS n FROM sessions');
    expect(after.rows[0].n).toBe(before.rows[0].n - 1);
    expect((await context.cookies()).some((c) => c.name === 'idp_session')).toBe(false);
    // The login page says so, instead of a bare "Please sign in".
    expect(await page.locator('#sign-out-reason').textContent()).toBe('You have signed out.');
    await context.close();
  });
});
