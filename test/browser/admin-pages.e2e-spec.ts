import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser as HttpBrowser, login } from '../support/http.js';
import {
  adminApi,
  containsFocus,
  isFocused,
  launchChromium,
  newContext,
  screenshot,
  signIn,
  startWebServer,
  type WebTestServer,
} from './support/browser.js';

describe('admin pages in Chromium', () => {
  let server: WebTestServer;
  let browser: Browser;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startWebServer(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function adminPage(section = ''): Promise<Page> {
    const page = await (await newContext(browser, server)).newPage();
    await signIn(page, { start: `/if/admin/${section}` });
    return page;
  }

  async function stageRow(name: string) {
    const { rows } = await server.db.query(
      'SELECT l.* FROM user_login_stages l JOIN stages s ON s.stage_uuid = l.stage_uuid WHERE s.name = $1',
      [name],
    );
    return rows[0];
  }

  it("shows the server's validation error next to the field and saves nothing until it is fixed", async () => {
    const page = await adminPage();
    await page.getByRole('button', { name: 'Edit default-authentication-login' }).click();
    const duration = page.getByLabel('Session duration');
    await duration.fill('hours=1,fortnights=2');
    await page.getByRole('button', { name: 'Save changes' }).click();

    await expect.poll(() => duration.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await duration.getAttribute('aria-describedby'))!.split(' ');
    const error = page.locator(`#${describedBy.find((id) => id.endsWith('-error'))}`);
    expect(await error.textContent()).toMatch(
      /^hours=1,fortnights=2 is not in the correct format of 'hours=3;minutes=1'\..*fortnights/,
    );
    // The focus moves to the field in error, so keyboard users land where the fix goes.
    expect(await page.locator(':focus').getAttribute('id')).toBe('stage-session_duration');
    expect((await stageRow('default-authentication-login')).session_duration).toBe('seconds=0');
    await screenshot(page, 'admin-stages-error');

    // An empty duration: the message names the field rather than starting with " is not…".
    await duration.fill('');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect
      .poll(() => page.locator('[data-field="session_duration"] .field-error').textContent())
      .toMatch(/^Session duration is not in the correct format/);

    await duration.fill('hours=2');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Saved default-authentication-login.');
    const row = page.locator('#stages tbody tr', { hasText: 'default-authentication-login' });
    // In words, with the stored value under it.
    await expect.poll(() => row.locator('td[data-label="Session duration"]').textContent()).toBe('2 hourshours=2');
    // The focus is back on the row that was edited, not on "New stage".
    expect(await isFocused(row.getByRole('button', { name: 'Edit default-authentication-login' }))).toBe(true);
    expect((await stageRow('default-authentication-login')).session_duration).toBe('hours=2');
    const audit = await server.db.query(
      `SELECT context FROM events WHERE action = 'model_updated' ORDER BY created DESC LIMIT 1`,
    );
    expect(audit.rows[0].context.model.name).toBe('default-authentication-login');
    await page.context().close();
  });

  it('creates a stage; a binding the server has no database for is refused at that field', async () => {
    const page = await adminPage('#stages');
    await page.getByRole('button', { name: 'New stage' }).click();
    await page.getByLabel('Name', { exact: true }).fill('web-ui-login');
    await page.getByLabel('"Stay signed in" adds').fill('days=14');
    await page.getByLabel('Network binding').selectOption('bind_asn');
    await page.getByLabel("End the user's other sessions on login").check();
    await page.getByRole('button', { name: 'Create stage' }).click();

    const network = page.getByLabel('Network binding');
    await expect.poll(() => network.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('[data-field="network_binding"] .field-error').textContent()).toContain('GEOIP_ASN_DB');
    expect(await stageRow('web-ui-login')).toBeUndefined();

    await network.selectOption('no_binding');
    await page.getByRole('button', { name: 'Create stage' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Created web-ui-login.');
    expect(await stageRow('web-ui-login')).toMatchObject({
      remember_me_offset: 'days=14',
      network_binding: 'no_binding',
      terminate_other_sessions: true,
    });
    await expect.poll(() => page.locator('#stages tbody tr', { hasText: 'web-ui-login' }).count()).toBe(1);
    await page.context().close();
  });

  it('filters the event log by action and user and shows each context as pretty JSON', async () => {
    const page = await adminPage('#events');
    await page.locator('#events tbody tr').first().waitFor();
    await page.getByLabel('Action', { exact: true }).fill('login');
    await page.getByLabel('User', { exact: true }).fill('akadmin');
    await page.getByRole('button', { name: 'Filter' }).click();

    const { rows } = await server.db.query(
      `SELECT count(*)::int AS n FROM events WHERE action = 'login' AND "user"->>'username' = 'akadmin'`,
    );
    expect(rows[0].n).toBeGreaterThan(0);
    const shown = page.locator('#events tbody tr[data-event]');
    await expect.poll(() => shown.count()).toBe(Math.min(rows[0].n, 20));
    for (const action of await page.locator('#events tbody tr[data-event] td:nth-child(2) code').allTextContents())
      expect(action).toBe('login');

    // The context opens in a full-width row under its event, and closes again.
    const toggle = shown.first().getByRole('button');
    const contextRow = page.locator(`#${await toggle.getAttribute('aria-controls')}`);
    expect(await contextRow.isVisible()).toBe(false);
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    await contextRow.waitFor();
    const context = await contextRow.locator('pre').textContent();
    expect(JSON.parse(context!).http_request.path).toBe('/api/v3/flows/executor/default-authentication-flow/');
    expect(context).toMatch(/^\{\n {2}"/);
    const table = (await page.locator('#events').boundingBox())!;
    expect((await contextRow.locator('pre').boundingBox())!.width).toBeGreaterThan(table.width * 0.9);
    await screenshot(page, 'admin-events');
    await toggle.click();
    expect(await contextRow.isVisible()).toBe(false);
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');

    await page.getByLabel('Action', { exact: true }).fill('no_such_action');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('No events match.').waitFor();
    await page.context().close();
  });

  it("lists everyone's sessions for an admin and keeps other users out with a 403 page", async () => {
    const created = await adminApi(server, 'POST', '/api/v3/core/users/', {
      username: 'carol',
      email: 'carol@example.test',
      password: 'carol-password-1',
    });
    expect(created.status).toBe(201);
    const carol = await newContext(browser, server);
    const carolPage = await carol.newPage();
    await signIn(carolPage, { username: 'carol', password: 'carol-password-1' });
    expect(await carolPage.getByRole('link', { name: 'Admin' }).isVisible()).toBe(false);
    const forbidden = await carolPage.goto('/if/admin/');
    expect(forbidden!.status()).toBe(403);
    await carolPage.getByRole('heading', { name: 'Administrators only' }).waitFor();

    const page = await adminPage('#sessions');
    const carolRow = page.locator('#all-sessions tbody tr', { hasText: 'carol' });
    await carolRow.waitFor();
    await carolRow.getByRole('button', { name: /End session/ }).click();
    await page
      .getByRole('dialog', { name: "End carol's session?" })
      .getByRole('button', { name: 'End session' })
      .click();
    await carolRow.waitFor({ state: 'detached' });
    const left = await server.db.query(
      `SELECT 1 FROM sessions s JOIN users u ON u.pk = s.user_pk WHERE u.username = 'carol'`,
    );
    expect(left.rows).toHaveLength(0);
    const event = await server.db.query(
      `SELECT context FROM events WHERE action = 'logout' AND "user"->>'username' = 'carol'`,
    );
    expect(event.rows[0].context.logout_reason).toBe('Session revoked by an administrator');
    await page.context().close();
    await carol.close();
  });

  it('asks in a dialog before deleting a stage: Escape keeps it, confirming deletes it', async () => {
    const created = await adminApi(server, 'POST', '/api/v3/stages/user_login/', { name: 'doomed-login' });
    expect(created.status).toBe(201);
    const page = await adminPage('#stages');
    await page.getByRole('button', { name: 'Edit doomed-login' }).click();
    const deleteButton = page.locator('#stage-editor').getByRole('button', { name: 'Delete stage' });
    await deleteButton.click();
    const dialog = page.getByRole('dialog', { name: 'Delete doomed-login?' });
    await dialog.waitFor();
    expect(await containsFocus(dialog)).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await isFocused(deleteButton)).toBe(true);
    expect(await stageRow('doomed-login')).toBeDefined();

    await deleteButton.click();
    await dialog.getByRole('button', { name: 'Delete stage' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Deleted doomed-login.');
    expect(await stageRow('doomed-login')).toBeUndefined();
    expect(await page.locator('#stages tbody tr', { hasText: 'doomed-login' }).count()).toBe(0);
    await page.context().close();
  });

  it("pages through everyone's sessions and narrows them by username and search", async () => {
    for (const username of ['frank', 'grace']) {
      const created = await adminApi(server, 'POST', '/api/v3/core/users/', {
        username,
        email: `${username}@example.test`,
        password: `${username}-password-1`,
      });
      expect(created.status).toBe(201);
    }
    // Sessions from documentation addresses, so the search has something to find.
    await Promise.all([
      ...[1, 2, 3].map((i) => apiLogin('frank', `198.51.100.${i}`)),
      ...Array.from({ length: 22 }, (_, i) => apiLogin('grace', `203.0.113.${i + 1}`)),
    ]);
    const { rows } = await server.db.query('SELECT count(*)::int AS n FROM sessions WHERE expires > now()');
    const total = rows[0].n + 1; // and the admin page's own

    const page = await adminPage('#sessions');
    const shown = page.locator('#all-sessions tbody tr[data-session]');
    const range = page.locator('#sessions-range');
    await expect.poll(() => range.textContent()).toBe(`1–20 of ${total}`);
    expect(await shown.count()).toBe(20);
    expect(await page.getByRole('button', { name: 'Previous' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => range.textContent()).toBe(`21–${Math.min(40, total)} of ${total}`);
    expect(await shown.count()).toBe(Math.min(40, total) - 20);

    // A filter starts again at page 1 and shows only that user's sessions.
    await page.getByLabel('Username').fill('frank');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => range.textContent()).toBe('1–3 of 3');
    expect(await page.locator('#all-sessions tbody tr td:first-child').allTextContents()).toEqual([
      'frank',
      'frank',
      'frank',
    ]);
    expect(await page.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    await screenshot(page, 'admin-sessions-filtered');

    await page.getByLabel('Username').fill('');
    await page.getByLabel('Search').fill('203.0.113.1');
    await page.getByRole('button', { name: 'Filter' }).click();
    // 203.0.113.1 and .10 to .19
    await expect.poll(() => range.textContent()).toBe('1–11 of 11');
    for (const ip of await page.locator('#all-sessions tbody tr td:nth-child(3) code').allTextContents())
      expect(ip).toMatch(/^203\.0\.113\.1\d?$/);

    await page.getByLabel('Search').fill('no-such-thing');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('No sessions match.').waitFor();
    expect(await range.textContent()).toBe('');

    await page.getByRole('button', { name: 'Clear' }).first().click();
    await expect.poll(() => range.textContent()).toBe(`1–20 of ${total}`);
    await page.context().close();
  });

  async function apiLogin(username: string, ip: string) {
    const client = new HttpBrowser(server.http);
    client.forwardedFor = ip;
    const done = await login(client, username, `${username}-password-1`);
    expect(done.body.component).toBe('xak-flow-redirect');
  }
});
