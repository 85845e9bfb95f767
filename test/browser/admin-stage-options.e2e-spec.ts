// The admin stage form's second-round options (docs/api.md): each field has its help text,
// saves through the API, and shows the server's 400 under the field it names.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, newContext, signIn, startWebServer, type WebTestServer } from './support/browser.js';

describe('admin stage form: binding options, idle timeout and session limit (Chromium)', () => {
  let server: WebTestServer;
  let browser: Browser;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startWebServer(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function editDefaultStage(): Promise<Page> {
    const page = await (await newContext(browser, server)).newPage();
    await signIn(page, { start: '/if/admin/#stages' });
    await page.getByRole('button', { name: 'Edit default-authentication-login' }).click();
    return page;
  }
  const stageRow = async () =>
    (
      await server.db.query(
        `SELECT l.* FROM user_login_stages l JOIN stages s ON s.stage_uuid = l.stage_uuid
          WHERE s.name = 'default-authentication-login'`,
      )
    ).rows[0];

  it('every new field has a label and a help text, and saves', async () => {
    const page = await editDefaultStage();
    const labels = [
      'When a binding breaks',
      'Address unknown to the database',
      'Networks never checked',
      'IPv6 prefix for "same IP"',
      'Idle timeout',
      'Sessions per user',
      'Over the limit',
      'Remember devices for',
      'Device-bound sessions (DBSC)',
    ];
    for (const text of labels) {
      const control = page.getByLabel(text, { exact: true });
      const hintId = (await control.getAttribute('aria-describedby'))!;
      expect((await page.locator(`#${hintId}`).textContent())!.length, text).toBeGreaterThan(20);
    }
    await page.getByLabel('When a binding breaks').selectOption('log');
    await page.getByLabel('Address unknown to the database').selectOption('allow');
    await page.getByLabel('Networks never checked').fill('10.99.0.0/16, 2001:db8::/32');
    await page.getByLabel('IPv6 prefix for "same IP"').fill('64');
    await page.getByLabel('Idle timeout').fill('minutes=30');
    await page.getByLabel('Sessions per user').fill('3');
    await page.getByLabel('Over the limit').selectOption('deny');
    await page.getByLabel('Remember devices for').fill('days=7');
    await page.getByLabel('Device-bound sessions (DBSC)').selectOption('prefer');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Saved default-authentication-login.');
    expect(await stageRow()).toMatchObject({
      binding_mode: 'log',
      on_missing_record: 'allow',
      binding_exempt_cidrs: ['10.99.0.0/16', '2001:db8::/32'],
      ipv6_prefix: 64,
      session_idle_timeout: 'minutes=30',
      max_sessions: 3,
      on_limit: 'deny',
      remember_device: 'days=7',
      device_bound_sessions: 'prefer',
    });

    // reopened, the form shows what was saved
    await page.getByRole('button', { name: 'Edit default-authentication-login' }).click();
    expect(await page.getByLabel('Networks never checked').inputValue()).toBe('10.99.0.0/16, 2001:db8::/32');
    expect(await page.getByLabel('Sessions per user').inputValue()).toBe('3');
    await page.context().close();
  });

  it("shows the server's errors under the exempt networks and the IPv6 prefix, and saves nothing", async () => {
    const before = await stageRow();
    const page = await editDefaultStage();
    await page.getByLabel('Networks never checked').fill('10.99.0.1/16');
    await page.getByLabel('IPv6 prefix for "same IP"').fill('200');
    await page.getByRole('button', { name: 'Save changes' }).click();
    const cidrs = page.getByLabel('Networks never checked');
    await expect.poll(() => cidrs.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('[data-field="binding_exempt_cidrs"] .field-error').textContent()).toContain(
      'did you mean "10.99.0.0/16"',
    );
    expect(await page.locator('[data-field="ipv6_prefix"] .field-error').textContent()).toContain(
      'less than or equal to 128',
    );
    expect(await stageRow()).toEqual(before);
    await page.context().close();
  });
});
