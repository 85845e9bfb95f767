import { hashToken } from '@idp/core';
import { SessionCache } from '../../libs/user-login/src/session-cache/session-cache.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asnRecord, cityRecord, writeAsnDb, writeCityDb } from '../fixtures/geoip-fixtures.js';
import {
  adminApi,
  containsFocus,
  isFocused,
  launchChromium,
  newContext,
  patchDefaultLoginStage,
  screenshot,
  signIn,
  startWebServer,
  type WebTestServer,
} from './support/browser.js';

const CHROME_LINUX =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';
const SAFARI_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';
// Two addresses in one AS (Telefonica, Kassel), one in another (Andrews & Arnold, London).
const KASSEL = '5.4.1.10';
const KASSEL_SAME_AS = '5.5.2.20';
const LONDON = '81.2.69.160';

describe('"My sessions" in Chromium (with GeoIP and ASN fixtures)', () => {
  let server: WebTestServer;
  let browser: Browser;
  let geoDir: string;

  beforeAll(async () => {
    geoDir = mkdtempSync(join(tmpdir(), 'idp-web-geoip-'));
    const asnDb = writeAsnDb(join(geoDir, 'asn.mmdb'), [
      ['5.4.0.0/14', asnRecord(6805, 'Telefonica Germany')],
      ['81.2.69.0/24', asnRecord(20712, 'Andrews & Arnold Ltd')],
    ]);
    const cityDb = writeCityDb(join(geoDir, 'city.mmdb'), [
      ['5.4.0.0/14', cityRecord({ continent: 'EU', country: 'DE', city: 'Kassel', lat: 51.2993, long: 9.491 })],
      ['81.2.69.0/24', cityRecord({ continent: 'EU', country: 'GB', city: 'London', lat: 51.5142, long: -0.0931 })],
    ]);
    [server, browser] = await Promise.all([
      startWebServer({ GEOIP_ASN_DB: asnDb, GEOIP_CITY_DB: cityDb }),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(geoDir, { recursive: true, force: true });
  });

  async function sessionUuidOf(context: BrowserContext): Promise<string | undefined> {
    const token = (await context.cookies()).find((c) => c.name === 'idp_session')?.value;
    if (!token) return undefined;
    const { rows } = await server.db.query('SELECT uuid FROM sessions WHERE token_hash = $1', [hashToken(token)]);
    return rows[0]?.uuid;
  }

  async function sessionCount(): Promise<number> {
    const { rows } = await server.db.query(
      `SELECT count(*)::int AS n FROM sessions s JOIN users u ON u.pk = s.user_pk WHERE u.username = 'akadmin'`,
    );
    return rows[0].n;
  }

  it('marks this session, shows device, location and network, and ends another one from the page', async () => {
    await server.db.query('DELETE FROM sessions');
    const laptop = await newContext(browser, server, { ip: KASSEL, userAgent: CHROME_LINUX });
    const phone = await newContext(browser, server, { ip: LONDON, userAgent: FIREFOX_WINDOWS });
    const page = await laptop.newPage();
    await signIn(page);
    await signIn(await phone.newPage());
    const [mine, other] = [await sessionUuidOf(laptop), await sessionUuidOf(phone)];

    await page.reload();
    const rows = page.locator('#sessions tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    const current = page.locator('tr[aria-current="true"]');
    expect(await current.getAttribute('data-session')).toBe(mine);
    expect(await current.textContent()).toContain('This session');
    // Names, not codes: "NA" would read as "not available".
    expect(await current.textContent()).toContain('Kassel, Germany (Europe)');
    expect(await current.textContent()).toContain('AS6805 Telefonica Germany');
    expect(await current.textContent()).toContain('5.4.0.0/14');
    const otherRow = page.locator(`tr[data-session="${other}"]`);
    expect(await otherRow.textContent()).toMatch(/Firefox 128 on Windows 10.*81\.2\.69\.160.*London, United Kingdom/);
    await screenshot(page, 'my-sessions');

    // Keyboard: focus the other session's button and press Enter; a dialog asks first.
    const endButton = otherRow.getByRole('button', { name: /End session/ });
    await endButton.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'End this session?' });
    await dialog.waitFor();
    const describedBy = await dialog.getAttribute('aria-describedby');
    expect(await page.locator(`#${describedBy}`).textContent()).toContain('Firefox 128 on Windows 10 (81.2.69.160)');
    // The focus moves into the dialog, onto the safe choice.
    expect(await containsFocus(dialog)).toBe(true);
    expect(await page.locator(':focus').textContent()).toBe('Cancel');
    await screenshot(page, 'confirm-dialog');

    // Escape cancels: the session stays, and the focus is back on the button that opened the dialog.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await isFocused(endButton)).toBe(true);
    expect(await rows.count()).toBe(2);
    expect((await server.db.query('SELECT 1 FROM sessions WHERE uuid = $1', [other])).rows).toHaveLength(1);

    // Again, and this time confirm.
    await page.keyboard.press('Enter');
    await dialog.getByRole('button', { name: 'End session' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await page.getByRole('dialog').count()).toBe(0);
    expect(await page.getByRole('status').textContent()).toBe(
      'Session ended: Firefox 128 on Windows 10 (81.2.69.160).',
    );
    // No other row is left: the focus goes to the list's heading, not to the whole page.
    expect(await isFocused(page.getByRole('heading', { name: 'My sessions' }))).toBe(true);
    expect(await page.getByText('This browser is the only place you are signed in.').isVisible()).toBe(true);
    const { rows: left } = await server.db.query('SELECT uuid FROM sessions');
    expect(left.map((r: { uuid: string }) => r.uuid)).toEqual([mine]);
    const revoked = await server.db.query(
      `SELECT context FROM events WHERE action = 'logout' AND context->>'session_uuid' = $1`,
      [other],
    );
    expect(revoked.rows[0].context.logout_reason).toBe('Session revoked by its user');

    // The ended browser is signed out: its next visit goes to the login page.
    const phonePage = await phone.newPage();
    await phonePage.goto('/if/user/');
    expect(new URL(phonePage.url()).pathname).toBe('/if/flow/default-authentication-flow/');
    await laptop.close();
    await phone.close();
  });

  it('ends all other sessions with one button and keeps this one', async () => {
    await server.db.query('DELETE FROM sessions');
    const contexts = await Promise.all([
      newContext(browser, server, { ip: KASSEL }),
      newContext(browser, server, { ip: LONDON, userAgent: FIREFOX_WINDOWS }),
      newContext(browser, server, { ip: KASSEL_SAME_AS, userAgent: SAFARI_MAC }),
    ]);
    const pages = await Promise.all(contexts.map((c) => c.newPage()));
    for (const page of pages) await signIn(page);
    expect(await sessionCount()).toBe(3);
    const mine = await sessionUuidOf(contexts[0]);

    await pages[0].reload();
    const rows = pages[0].locator('#sessions tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    const endOthers = pages[0].getByRole('button', { name: 'End all other sessions' });
    const dialog = pages[0].getByRole('dialog', { name: 'End all other sessions?' });
    // Cancel in the dialog ends nothing.
    await endOthers.click();
    expect(await dialog.textContent()).toContain('2 other sessions will be signed out.');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await isFocused(endOthers)).toBe(true);
    expect(await sessionCount()).toBe(3);
    expect(await rows.count()).toBe(3);

    await endOthers.click();
    await dialog.getByRole('button', { name: 'End other sessions' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await pages[0].getByRole('status').textContent()).toBe('Ended 2 other sessions.');
    // With no other session left the button goes away and the page says why.
    expect(await pages[0].getByRole('button', { name: 'End all other sessions' }).count()).toBe(0);
    expect(await isFocused(pages[0].getByRole('heading', { name: 'My sessions' }))).toBe(true);
    const { rows: left } = await server.db.query('SELECT uuid FROM sessions');
    expect(left.map((r: { uuid: string }) => r.uuid)).toEqual([mine]);
    await Promise.all(contexts.map((c) => c.close()));
  });

  it('keeps relative times current while the page stays open, without asking the server again', async () => {
    await server.db.query('DELETE FROM sessions');
    const elsewhere = await newContext(browser, server, { ip: LONDON });
    await signIn(await elsewhere.newPage());
    await elsewhere.close();
    const context = await newContext(browser, server);
    const page = await context.newPage();
    await signIn(page);
    // The current session was used by this very page: it says "Now", not a count of seconds.
    const current = page.locator('tr[aria-current="true"] td[data-label="Last used"]');
    await expect.poll(() => current.textContent()).toBe('Nowthis browser');
    // The page's clock starts at the other session's last use, however long signing in took.
    const { rows } = await server.db.query('SELECT last_used FROM sessions WHERE last_ip = $1', [LONDON]);
    await page.clock.install({ time: rows[0].last_used });
    await page.reload();
    const lastUsed = page.locator('tr:not([aria-current]) td[data-label="Last used"] time');
    await expect.poll(() => lastUsed.textContent()).toBe('just now');
    // From here only the test moves the clock: on a busy machine real seconds passing before the
    // fast-forward would add to the text ("40 seconds ago").
    await page.clock.pauseAt(await page.evaluate(() => Date.now() + 100));
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));

    // Before the list's own refresh (once a minute) is due, the clock alone moves the text.
    await page.clock.fastForward('00:31');
    await expect.poll(() => lastUsed.textContent()).toMatch(/^3\d seconds ago$/);
    expect(requests).toEqual([]);
    await page.clock.fastForward('01:30');
    await expect.poll(() => lastUsed.textContent()).toBe('2 minutes ago');
    await page.clock.fastForward('58:00');
    await expect.poll(() => lastUsed.textContent()).toBe('1 hour ago');
    // Rounded, not cut off: 11 h 59 min is "12 hours".
    await page.clock.fastForward('10:59:00');
    await expect.poll(() => lastUsed.textContent()).toBe('12 hours ago');
    // The tooltip keeps the exact time; the only requests were the list's own refreshes.
    expect(await lastUsed.getAttribute('title')).toMatch(/\d/);
    for (const url of requests) expect(url).toContain('/api/v3/core/authenticated_sessions/?mine=true');
    await context.close();
  });

  it('refreshes when the tab is seen again, and says so when a session to end had already ended', async () => {
    await server.db.query('DELETE FROM sessions');
    const other = await newContext(browser, server, { ip: LONDON, userAgent: FIREFOX_WINDOWS });
    await signIn(await other.newPage());
    const otherUuid = await sessionUuidOf(other);
    const context = await newContext(browser, server, { ip: KASSEL });
    const page = await context.newPage();
    await signIn(page);
    const rows = page.locator('#sessions tbody tr[data-session]');
    await expect.poll(() => rows.count()).toBe(2);

    // Ended elsewhere while the dialog was open: confirming says it had already ended.
    await page.getByRole('button', { name: /^End session/ }).click();
    await server.db.query('DELETE FROM sessions WHERE uuid = $1', [otherUuid]);
    await page.getByRole('dialog').getByRole('button', { name: 'End session' }).click();
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toBe('That session had already ended (it expired or was ended elsewhere). The list is up to date.');
    expect(await rows.count()).toBe(1);

    // A session that starts elsewhere shows up when the tab is seen again, without a reload.
    await signIn(await other.newPage());
    await page.evaluate(() => (globalThis as any).dispatchEvent(new Event('focus')));
    await expect.poll(() => rows.count()).toBe(2);
    await other.close();
    await context.close();
  });

  it('tells a stale tab that its session was ended elsewhere, on the login page', async () => {
    const context = await newContext(browser, server);
    const page = await context.newPage();
    await signIn(page);
    await page.locator('tr[aria-current="true"]').waitFor();
    const uuid = (await sessionUuidOf(context))!;
    await server.db.query('DELETE FROM sessions WHERE uuid = $1', [uuid]);
    // The deletion reaches the server's session cache through NOTIFY, which a loaded machine can
    // delay: only once the cached copy is gone does the page's next request see the session ended.
    const cache = server.app.get(SessionCache);
    for (const deadline = Date.now() + 10_000; cache.holds(uuid) && Date.now() < deadline;)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await page.evaluate(() => (globalThis as any).dispatchEvent(new Event('focus')));
    await page.waitForURL('**/if/flow/default-authentication-flow/**');
    expect(new URL(page.url()).searchParams.get('reason')).toBe('ended_elsewhere');
    expect(await page.locator('#sign-out-reason').textContent()).toContain('ended from another tab or browser');
    await context.close();
  });

  it("shows a timed session's expiry with its exact date, and the idle limit when the stage has one", async () => {
    const previous = await patchDefaultLoginStage(server, {
      session_duration: 'hours=8',
      session_idle_timeout: 'minutes=30',
    });
    try {
      const context = await newContext(browser, server);
      const page = await context.newPage();
      await signIn(page);
      const expires = page.locator('tr[aria-current="true"] td[data-label="Expires"]');
      await expires.waitFor();
      expect(await expires.locator('time[data-relative]').textContent()).toBe('in 8 hours');
      expect(await expires.textContent()).toContain('Ends if unused until');
      await context.close();
    } finally {
      await adminApi(server, 'PATCH', `/api/v3/stages/user_login/${previous.pk}/`, {
        session_duration: previous.session_duration,
        session_idle_timeout: previous.session_idle_timeout,
      });
    }
  });

  it('keeps a bound session within its network and sends it back to the login page once the IP leaves it', async () => {
    const previous = await patchDefaultLoginStage(server, { network_binding: 'bind_asn' });
    try {
      const context = await newContext(browser, server, { ip: KASSEL });
      const page = await context.newPage();
      await signIn(page);
      const uuid = await sessionUuidOf(context);
      const bound = await server.db.query('SELECT network_binding, last_ip FROM sessions WHERE uuid = $1', [uuid]);
      expect(bound.rows[0]).toEqual({ network_binding: 'bind_asn', last_ip: KASSEL });

      // Another address of the same AS: still signed in, and the session follows the new IP.
      await page.setExtraHTTPHeaders({ 'X-Forwarded-For': KASSEL_SAME_AS });
      await page.goto('/if/user/');
      await page.locator('tr[aria-current="true"]').waitFor();
      expect(new URL(page.url()).pathname).toBe('/if/user/');
      // The page says what the session is held to.
      expect(await page.locator('tr[aria-current="true"] td[data-label="Where"]').textContent()).toContain(
        'Bound to its network operator',
      );
      const moved = await server.db.query('SELECT last_ip FROM sessions WHERE uuid = $1', [uuid]);
      expect(moved.rows[0].last_ip).toBe(KASSEL_SAME_AS);

      // Another AS: the binding breaks, the session ends and the browser lands on the login page,
      // which says why (from the reason code, never from text in the URL).
      await page.setExtraHTTPHeaders({ 'X-Forwarded-For': LONDON });
      await page.goto('/if/user/');
      expect(new URL(page.url()).pathname).toBe('/if/flow/default-authentication-flow/');
      expect(new URL(page.url()).searchParams.get('next')).toBe('/if/user/');
      expect(new URL(page.url()).searchParams.get('reason')).toBe('binding_broken');
      await page.getByLabel('Username or email').waitFor();
      const notice = page.locator('#sign-out-reason');
      expect(await notice.textContent()).toContain('You were signed out for your safety');
      // Read together with the field that has the focus.
      expect(await page.getByLabel('Username or email').getAttribute('aria-describedby')).toContain('sign-out-reason');
      await screenshot(page, 'flow-binding-broken');
      const gone = await server.db.query('SELECT 1 FROM sessions WHERE uuid = $1', [uuid]);
      expect(gone.rows).toHaveLength(0);
      const events = await server.db.query(
        `SELECT client_ip, context FROM events WHERE action = 'logout' AND context->>'session_uuid' = $1`,
        [uuid],
      );
      expect(events.rows).toHaveLength(1);
      expect(events.rows[0].client_ip).toBe(LONDON);
      expect(events.rows[0].context.binding).toMatchObject({
        reason: 'network.asn',
        previous_value: 6805,
        new_value: 20712,
      });
      expect(events.rows[0].context.ip).toEqual({ previous: KASSEL_SAME_AS, new: LONDON });
      expect((await context.cookies()).some((c) => c.name === 'idp_session')).toBe(false);
      await context.close();
    } finally {
      await adminApi(server, 'PATCH', `/api/v3/stages/user_login/${previous.pk}/`, {
        network_binding: previous.network_binding,
      });
    }
  });
});
