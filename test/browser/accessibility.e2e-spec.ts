import { writeFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCEPTED_MODERATE, contrastRatio, runAxe, unacceptable, type AxeViolation } from './support/accessibility.js';
import { adminApi, launchChromium, newContext, signIn, startWebServer, type WebTestServer } from './support/browser.js';

type Theme = 'light' | 'dark';

/**
 * Every page of the web UI in every state a person meets, checked by axe-core in the light and
 * the dark theme: no serious or critical finding, and no moderate one that is not listed (with
 * its reason) in ACCEPTED_MODERATE. `AXE_REPORT=file.json` writes what was found, page by page.
 */
describe('axe-core on every page and state, light and dark', () => {
  let server: WebTestServer;
  let browser: Browser;
  const report: Record<string, AxeViolation[]> = {};

  beforeAll(async () => {
    [server, browser] = await Promise.all([startWebServer(), launchChromium()]);
    const created = await adminApi(server, 'POST', '/api/v3/core/users/', {
      username: 'dormant',
      email: 'dormant@example.test',
      password: 'dormant-password-1',
      is_active: false,
    });
    expect(created.status).toBe(201);
    const plain = await adminApi(server, 'POST', '/api/v3/core/users/', {
      username: 'casey',
      email: 'casey@example.test',
      password: 'casey-password-1',
    });
    expect(plain.status).toBe(201);
  });
  afterAll(async () => {
    if (process.env.AXE_REPORT) writeFileSync(process.env.AXE_REPORT, JSON.stringify(report, null, 2));
    await browser?.close();
    await server?.close();
  });

  async function check(page: Page, name: string): Promise<void> {
    const found = await runAxe(page);
    report[name] = found;
    expect.soft(unacceptable(found), `${name}: ${JSON.stringify(found, null, 2)}`).toEqual([]);
  }

  async function context(theme: Theme): Promise<BrowserContext> {
    return newContext(browser, server, { colorScheme: theme });
  }

  for (const theme of ['light', 'dark'] as const) {
    it(`flow pages (${theme})`, async () => {
      const ctx = await context(theme);
      const page = await ctx.newPage();
      await page.goto('/flows/-/default/authentication/?next=/if/user/');
      await page.getByLabel('Username or email').waitFor();
      await check(page, `${theme} flow: identification`);

      for (const reason of ['binding_broken', 'signed_out', 'ended_elsewhere', 'expired']) {
        await page.goto(`/flows/-/default/authentication/?reason=${reason}`);
        await page.getByLabel('Username or email').waitFor();
        await check(page, `${theme} flow: identification, reason ${reason}`);
      }

      await page.getByLabel('Username or email').fill('akadmin');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('Password', { exact: true }).fill('wrong-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('[aria-invalid="true"]').waitFor();
      await check(page, `${theme} flow: password with an error`);

      await page.getByRole('button', { name: 'Not you?' }).click();
      await page.getByLabel('Username or email').fill('dormant');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByLabel('Password', { exact: true }).fill('dormant-password-1');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Access denied' }).waitFor();
      await check(page, `${theme} flow: access denied`);

      await page.goto('/if/flow/default-enrollment-flow/');
      await page.getByLabel('Username').waitFor();
      await check(page, `${theme} flow: enrollment`);
      await page.getByLabel('Username').fill('erin');
      await page.getByLabel('Email').fill('erin@example.test');
      await page.getByLabel('Password', { exact: true }).fill('a-long-enough-password-1');
      await page.getByLabel('Password (repeat)').fill('a-different-password-2');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.locator('[aria-invalid="true"]').first().waitFor();
      await check(page, `${theme} flow: enrollment with errors`);

      await page.goto('/if/flow/no-such-flow/');
      await page.getByRole('alert').waitFor();
      await check(page, `${theme} flow: unknown flow`);
      await ctx.close();
    });

    it(`"My sessions" and the error pages (${theme})`, async () => {
      await server.db.query('DELETE FROM sessions');
      const ctx = await context(theme);
      const page = await ctx.newPage();
      await signIn(page, { username: 'casey', password: 'casey-password-1' });
      await page.locator('tr[aria-current="true"], [data-session][aria-current="true"]').first().waitFor();
      await check(page, `${theme} user: one session`);

      const other = await context(theme);
      await signIn(await other.newPage(), { username: 'casey', password: 'casey-password-1' });
      await other.close();
      await page.reload();
      await page.getByRole('button', { name: /^End session/ }).waitFor();
      await check(page, `${theme} user: two sessions`);
      await page.getByRole('button', { name: /^End session/ }).click();
      await page.getByRole('dialog').waitFor();
      await check(page, `${theme} user: confirm dialog`);
      await page.keyboard.press('Escape');

      await page.goto('/if/admin/');
      await page.getByRole('heading', { level: 1 }).waitFor();
      await check(page, `${theme} error page: 403`);
      await page.goto('/if/nothing-here/');
      await page.getByRole('heading', { level: 1 }).waitFor();
      await check(page, `${theme} error page: 404`);
      await ctx.close();
    });

    it(`admin pages (${theme})`, async () => {
      const ctx = await context(theme);
      const page = await ctx.newPage();
      await signIn(page, { start: '/if/admin/' });
      await page.locator('#stages tbody tr').first().waitFor();
      await check(page, `${theme} admin: stages`);

      await page.getByRole('button', { name: 'Edit default-authentication-login' }).click();
      await page.getByLabel('Session duration').fill('fortnights=2');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.locator('.field-error').first().waitFor();
      await check(page, `${theme} admin: stage form with an error`);
      await page.getByRole('button', { name: 'Delete stage' }).click();
      await page.getByRole('dialog').waitFor();
      await check(page, `${theme} admin: delete dialog`);
      await page.keyboard.press('Escape');

      await page.goto('/if/admin/#sessions');
      await page.locator('#all-sessions tbody tr').first().waitFor();
      await check(page, `${theme} admin: sessions`);
      await page.getByLabel('Username').fill('nobody');
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.getByText('No sessions match.').waitFor();
      await check(page, `${theme} admin: sessions, none match`);

      await page.goto('/if/admin/#events');
      await page.locator('#events tbody tr[data-event]').first().waitFor();
      await page.locator('#events tbody tr[data-event]').first().getByRole('button').click();
      await check(page, `${theme} admin: events with a context open`);
      await ctx.close();
    });
  }

  it('lists every accepted moderate finding with a reason', () => {
    for (const reason of Object.values(ACCEPTED_MODERATE)) expect(reason.length).toBeGreaterThan(20);
  });

  /**
   * WCAG 2.2 1.4.11 and 2.4.13: the focus ring and the borders of fields must stand out by 3:1
   * from what is next to them, in both themes, including on the highlighted current-session row.
   */
  for (const theme of ['light', 'dark'] as const) {
    it(`focus ring and field borders have 3:1 contrast (${theme})`, async () => {
      const ctx = await context(theme);
      const page = await ctx.newPage();
      await page.goto('/flows/-/default/authentication/');
      const input = page.getByLabel('Username or email');
      await input.waitFor();
      await page.keyboard.press('Tab');
      const colours = await input.evaluate((element: any) => {
        const style = element.ownerDocument.defaultView.getComputedStyle(element);
        const card = element.ownerDocument.defaultView.getComputedStyle(element.closest('.card'));
        return { border: style.borderTopColor, outline: style.outlineColor, card: card.backgroundColor };
      });
      expect(contrastRatio(colours.border, colours.card)).toBeGreaterThanOrEqual(3);
      expect(contrastRatio(colours.outline, colours.card)).toBeGreaterThanOrEqual(3);
      const body = await page.evaluate(() => {
        const g = globalThis as any;
        return g.getComputedStyle(g.document.body).backgroundColor;
      });
      expect(contrastRatio(colours.outline, body)).toBeGreaterThanOrEqual(3);

      await signIn(page);
      const current = page.locator('[aria-current="true"][data-session]');
      await current.waitFor();
      const row = await current.evaluate(
        (element: any) => element.ownerDocument.defaultView.getComputedStyle(element).backgroundColor,
      );
      expect(contrastRatio(colours.outline, row)).toBeGreaterThanOrEqual(3);
      await ctx.close();
    });
  }
});
