import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchChromium,
  patchDefaultLoginStage,
  signIn,
  startWebServer,
  type WebTestServer,
} from './support/browser.js';
import { startTlsProxy, type TlsProxy } from './support/tls-proxy.js';

const ME = '/api/v3/core/users/me/';

/**
 * DBSC with a real browser: Debian's Chromium registers a software key (no TPM here) for a
 * session that signed in through the web UI over HTTPS, refreshes the bound cookie with proofs
 * by that key, and a session cookie copied into another profile is refused.
 */
describe('device-bound sessions in Chromium over HTTPS', () => {
  let server: WebTestServer;
  let proxy: TlsProxy;
  let browser: Browser;

  beforeAll(async () => {
    // The default DBSC_COOKIE_TTL (10 minutes): a tiny one makes Chrome refresh without pause and
    // run into its own refresh quota.
    server = await startWebServer();
    proxy = await startTlsProxy(server.baseUrl);
    browser = await launchChromium([
      '--enable-features=DeviceBoundSessions,EnableBoundSessionCredentialsSoftwareKeysForManualTesting',
      // Trusting this one certificate keeps DBSC on (--ignore-certificate-errors turns it off).
      `--ignore-certificate-errors-spki-list=${proxy.spkiHash}`,
    ]);
    await patchDefaultLoginStage(server, { device_bound_sessions: 'prefer' });
  });
  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await server?.close();
  });

  async function deviceKeyOf(sessionUuid: string) {
    const { rows } = await server.db.query(
      'SELECT algorithm, bound_cookie_hash FROM session_device_bindings WHERE session_uuid = $1 AND public_key IS NOT NULL',
      [sessionUuid],
    );
    return rows[0] as { algorithm: string; bound_cookie_hash: string } | undefined;
  }

  async function waitFor<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
    for (let i = 0; i < 100; i += 1) {
      const value = await probe();
      if (value !== undefined) return value;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  /** A GET from inside the page, through the browser's own network stack (and so through DBSC). */
  async function fetchIn(page: Page, path: string): Promise<{ status: number; body: any }> {
    return page.evaluate(async (url) => {
      const answer = await fetch(url, { headers: { Accept: 'application/json' } });
      return { status: answer.status, body: await answer.json() };
    }, path);
  }

  function sessionCookie(cookies: Awaited<ReturnType<BrowserContext['cookies']>>) {
    return cookies.find((cookie) => /(^|-)idp_session$/.test(cookie.name))!;
  }

  it('binds the session at sign-in, keeps it working across refreshes, and refuses a copied cookie', async () => {
    const owner = await browser.newContext({ baseURL: proxy.baseUrl, viewport: { width: 1280, height: 800 } });
    const page = await owner.newPage();
    await signIn(page);
    await page.getByRole('heading', { name: 'My sessions' }).waitFor();

    const session = sessionCookie(await owner.cookies());
    const { rows } = await server.db.query('SELECT uuid FROM sessions ORDER BY created DESC LIMIT 1');
    const uuid: string = rows[0].uuid;
    const bound = await waitFor(() => deviceKeyOf(uuid), 'the browser to register its key');
    expect(bound.algorithm).toBe('ES256');
    expect(proxy.log).toContainEqual({ method: 'POST', path: '/api/v3/sessions/dbsc/register/', status: 200 });
    const boundCookie = (await owner.cookies()).find((cookie) => cookie.name === '__Host-idp_bound');
    expect(boundCookie).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Lax', path: '/' });

    expect((await fetchIn(page, `/api/v3/core/authenticated_sessions/${uuid}/`)).body.device_bound).toBe(true);
    // "My sessions" says so, and marks the first sign-in from this browser as a new device.
    await page.reload();
    const row = page.locator(`tr[data-session="${uuid}"]`);
    await row.getByText('Bound to this device’s key').waitFor();
    await row.getByText('New device').waitFor();

    // A second profile with the session cookie alone: refused, the owner's session untouched.
    const thief = await browser.newContext({ baseURL: proxy.baseUrl });
    const thiefPage = await thief.newPage();
    await thiefPage.goto('/if/static/app.css');
    await thief.addCookies([{ ...session, sameSite: 'Lax' }]);
    const stolen = await fetchIn(thiefPage, ME);
    expect(stolen.status).toBe(401);
    expect(stolen.body.code).toBe('device_proof_required');

    // The bound cookie copied too works only until it expires (it is a bearer token for
    // DBSC_COOKIE_TTL at most); the server's clock is moved past that.
    await thief.addCookies([{ ...boundCookie!, sameSite: 'Lax' }]);
    expect((await fetchIn(thiefPage, ME)).status).toBe(200);
    server.clock.advance(11 * 60_000);
    expect((await fetchIn(thiefPage, ME)).status).toBe(401);

    // The owner's browser renews its bound cookie with a proof by its key. Chrome expires cookies
    // by its own clock, so the cookie is taken away instead: Chrome holds the navigation, asks
    // for a challenge, signs it, and only then sends the request with the new bound cookie.
    const refreshesBefore = proxy.log.filter((entry) => entry.path === '/api/v3/sessions/dbsc/refresh/').length;
    await owner.clearCookies({ name: '__Host-idp_bound' });
    await page.goto('/if/user/');
    await page.getByRole('heading', { name: 'My sessions' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/if/user/');
    const refreshes = proxy.log.filter((entry) => entry.path === '/api/v3/sessions/dbsc/refresh/');
    expect(refreshes.length).toBeGreaterThan(refreshesBefore);
    expect(refreshes.some((entry) => entry.status === 200)).toBe(true);
    expect((await deviceKeyOf(uuid))!.bound_cookie_hash).not.toBe(bound.bound_cookie_hash);
    expect((await fetchIn(page, ME)).status).toBe(200);

    console.log(
      `DBSC in Chromium: registered (${bound.algorithm}); refresh answers ${refreshes.map((r) => r.status).join(', ')}; copied session cookie -> ${stolen.status} ${stolen.body.code}`,
    );
    await thief.close();
    await owner.close();
  });
});
