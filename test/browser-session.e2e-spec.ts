import { hashToken } from '@idp/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, cookieFrom, login, setCookieLine } from './support/http.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from './support/test-server.js';
import { patchDefaultLoginStage } from './support/admin-api.js';

const ME = '/api/v3/core/users/me/';
const IDLE_MS = 10 * 60_000;

describe('browser sessions: renewed while used, at most one write a minute (SESSION_BROWSER_IDLE=minutes=10)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ env: { SESSION_BROWSER_IDLE: 'minutes=10' } });
  });
  afterAll(() => server?.close());

  async function signIn(): Promise<{ browser: Browser; tokenHash: string }> {
    const browser = new Browser(server.http);
    const done = await login(browser, 'akadmin', ADMIN_PASSWORD);
    expect(done.body.component).toBe('xak-flow-redirect');
    return { browser, tokenHash: hashToken(cookieFrom(done, 'idp_session')!.split('=')[1]) };
  }

  async function row(
    tokenHash: string,
  ): Promise<{ expires: number; lastUsed: number; browserSession: boolean } | undefined> {
    const { rows } = await server.db.query(
      'SELECT expires, last_used, browser_session FROM sessions WHERE token_hash = $1',
      [tokenHash],
    );
    if (rows.length === 0) return undefined;
    return {
      expires: new Date(rows[0].expires).getTime(),
      lastUsed: new Date(rows[0].last_used).getTime(),
      browserSession: rows[0].browser_session,
    };
  }

  const setStageDuration = (duration: string) => patchDefaultLoginStage(server, { session_duration: duration });

  it('a browser session starts with the idle window and no cookie lifetime', async () => {
    const { tokenHash } = await signIn();
    const stored = (await row(tokenHash))!;
    expect(stored.browserSession).toBe(true);
    expect(Math.abs(stored.expires - (server.clock.now().getTime() + IDLE_MS))).toBeLessThan(5_000);
  });

  it('requests within a minute write nothing; the first one after a minute moves expires forward, once', async () => {
    const { browser, tokenHash } = await signIn();
    const initial = (await row(tokenHash))!;

    expect((await browser.get(ME)).status).toBe(200);
    server.clock.advance(30_000);
    expect((await browser.get(ME)).status).toBe(200);
    server.clock.advance(28_000);
    expect((await browser.get(ME)).status).toBe(200);
    expect(await row(tokenHash)).toEqual(initial);

    server.clock.advance(3_000); // 61 s after login
    const renewed = await browser.get(ME);
    expect(renewed.status).toBe(200);
    // The cookie stays a browser cookie: renewal happens on the server only.
    expect(setCookieLine(renewed, 'idp_session')).toBeUndefined();
    const moved = (await row(tokenHash))!;
    expect(moved.expires).toBeGreaterThan(initial.expires);
    expect(Math.abs(moved.expires - (server.clock.now().getTime() + IDLE_MS))).toBeLessThan(1_000);
    expect(moved.lastUsed).toBeGreaterThan(initial.lastUsed);

    server.clock.advance(30_000);
    expect((await browser.get(ME)).status).toBe(200);
    expect(await row(tokenHash)).toEqual(moved);
  });

  it('stays valid for as long as it is used, well past one idle window', async () => {
    const { browser, tokenHash } = await signIn();
    for (let step = 0; step < 6; step += 1) {
      server.clock.advance(5 * 60_000); // 30 minutes in all, three idle windows
      expect((await browser.get(ME)).status).toBe(200);
    }
    expect((await row(tokenHash))!.expires).toBeGreaterThan(server.clock.now().getTime() + IDLE_MS - 60_000);
  });

  it('an idle browser session past the window is rejected with 401, and a later request does not revive it', async () => {
    const { browser, tokenHash } = await signIn();
    expect((await browser.get(ME)).status).toBe(200);
    const before = (await row(tokenHash))!;
    server.clock.advance(IDLE_MS + 1_000);
    expect((await browser.get(ME)).status).toBe(401);
    // Rejecting does not renew: the stored expiry is where it was (the clean-up job removes the row).
    expect(await row(tokenHash)).toEqual(before);
    expect((await browser.get(ME)).status).toBe(401);
  });

  it('an absolute session never slides, however often it is used', async () => {
    await setStageDuration('minutes=30');
    try {
      const { browser, tokenHash } = await signIn();
      const initial = (await row(tokenHash))!;
      expect(initial.browserSession).toBe(false);
      for (let step = 0; step < 5; step += 1) {
        server.clock.advance(5 * 60_000);
        expect((await browser.get(ME)).status).toBe(200);
      }
      expect((await row(tokenHash))!.expires).toBe(initial.expires);
      server.clock.advance(6 * 60_000); // 31 minutes after login
      expect((await browser.get(ME)).status).toBe(401);
    } finally {
      await setStageDuration('seconds=0');
    }
  });
});
