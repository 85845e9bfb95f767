import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asnRecord, cityRecord, writeAsnDb, writeCityDb } from '../fixtures/geoip-fixtures.js';
import { sidewaysOverflow } from './support/accessibility.js';
import {
  launchChromium,
  newContext,
  screenshot,
  signIn,
  startWebServer,
  type WebTestServer,
} from './support/browser.js';

const PHONE = { width: 390, height: 844 };
const IPHONE_SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';
const KASSEL = '5.4.1.10';
const LONDON = '81.2.69.160';
const NEW_YORK = '216.160.83.56';

/**
 * A 390 px phone: no page scrolls sideways, and every session's action button is on screen.
 * With UPDATE_SCREENSHOTS=1 these tests also write the light and dark, desktop and phone
 * screenshots the README shows.
 */
describe('phone layout (390 px) and screenshots', () => {
  let server: WebTestServer;
  let browser: Browser;
  let geoDir: string;

  beforeAll(async () => {
    geoDir = mkdtempSync(join(tmpdir(), 'idp-phone-geoip-'));
    const asnDb = writeAsnDb(join(geoDir, 'asn.mmdb'), [
      ['5.4.0.0/14', asnRecord(6805, 'Telefonica Germany')],
      ['81.2.69.0/24', asnRecord(20712, 'Andrews & Arnold Ltd')],
      ['216.160.83.0/24', asnRecord(209, 'CenturyLink Communications')],
    ]);
    const cityDb = writeCityDb(join(geoDir, 'city.mmdb'), [
      ['5.4.0.0/14', cityRecord({ continent: 'EU', country: 'DE', city: 'Kassel', lat: 51.2993, long: 9.491 })],
      ['81.2.69.0/24', cityRecord({ continent: 'EU', country: 'GB', city: 'London', lat: 51.5142, long: -0.0931 })],
      ['216.160.83.0/24', cityRecord({ continent: 'NA', country: 'US', city: 'New York', lat: 40.7, long: -74 })],
    ]);
    [server, browser] = await Promise.all([
      startWebServer({ GEOIP_ASN_DB: asnDb, GEOIP_CITY_DB: cityDb }),
      launchChromium(),
    ]);
    // Three sessions of akadmin from three places, so the lists have something to lay out.
    for (const [ip, userAgent] of [
      [LONDON, FIREFOX_WINDOWS],
      [NEW_YORK, IPHONE_SAFARI],
    ] as const) {
      const context = await newContext(browser, server, { ip, userAgent });
      await signIn(await context.newPage());
      await context.close();
    }
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(geoDir, { recursive: true, force: true });
  });

  async function phone(theme: 'light' | 'dark'): Promise<BrowserContext> {
    return newContext(browser, server, {
      ip: KASSEL,
      userAgent: IPHONE_SAFARI,
      viewport: PHONE,
      isMobile: true,
      hasTouch: true,
      colorScheme: theme,
    });
  }

  /** Fails when the page scrolls sideways or a button sticks out past the right edge. */
  async function expectFits(page: Page, what: string): Promise<void> {
    expect(await sidewaysOverflow(page), `${what} scrolls sideways`).toBe(0);
    for (const button of await page.locator('main .button:visible, main button:visible').all()) {
      const box = await button.boundingBox();
      if (box) expect(box.x + box.width, `${what}: ${await button.textContent()}`).toBeLessThanOrEqual(PHONE.width);
    }
  }

  for (const theme of ['light', 'dark'] as const) {
    it(`fits every page into 390 px (${theme})`, async () => {
      const context = await phone(theme);
      const page = await context.newPage();
      await page.goto('/flows/-/default/authentication/?reason=binding_broken');
      await page.locator('#sign-out-reason').waitFor();
      await expectFits(page, 'login page');
      await screenshot(page, `phone-signed-out-binding-${theme}`);

      await signIn(page);
      const cards = page.locator('#sessions tbody tr[data-session]');
      await expect.poll(() => cards.count()).toBeGreaterThanOrEqual(3);
      await expectFits(page, 'My sessions');
      // Cards, not a table: every session's button is on screen without scrolling sideways.
      for (const button of await page.locator('#sessions td.actions .button').all()) {
        expect(await button.isVisible()).toBe(true);
      }
      await screenshot(page, `phone-my-sessions-${theme}`);

      for (const section of ['stages', 'sessions', 'events']) {
        await page.goto(`/if/admin/#${section}`);
        await page.locator(`#section-${section} tbody tr`).first().waitFor();
        await expectFits(page, `admin ${section}`);
        if (section === 'sessions') await screenshot(page, `phone-admin-sessions-${theme}`);
      }
      await page.goto('/if/nothing-here/');
      await page.getByRole('heading', { name: 'Page not found' }).waitFor();
      await expectFits(page, '404 page');
      await context.close();
    });

    it(`desktop screenshots (${theme})`, async () => {
      const context = await newContext(browser, server, { ip: KASSEL, colorScheme: theme });
      const page = await context.newPage();
      await signIn(page);
      await page.locator('#sessions tbody tr[data-session]').nth(2).waitFor();
      expect(await sidewaysOverflow(page)).toBe(0);
      await screenshot(page, `desktop-my-sessions-${theme}`);
      await page.goto('/flows/-/default/authentication/?reason=binding_broken');
      await page.locator('#sign-out-reason').waitFor();
      await screenshot(page, `desktop-signed-out-binding-${theme}`);
      await context.close();
    });
  }
});
