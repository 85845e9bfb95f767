import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Locator,
  type Page,
} from 'playwright-core';
import { expect } from 'vitest';
import { ADMIN_PASSWORD, ADMIN_TOKEN, startTestServer, type TestServer } from '../../support/test-server.js';

/** Debian's Chromium; `.ci/run` installs it when missing. playwright-core never downloads a browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless Chromium without the background traffic (updates, sync, QUIC probes) a test has no use for. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}

/** A test server listening on a real port, as a browser needs. */
export interface WebTestServer extends TestServer {
  baseUrl: string;
}

/** Starts the identity server (Fastify, fresh schema) and listens on 127.0.0.1 on a free port. */
export async function startWebServer(env: Record<string, string> = {}): Promise<WebTestServer> {
  const server = await startTestServer({ env });
  await server.app.listen(0, '127.0.0.1');
  const address = server.app.getHttpServer().address() as { port: number };
  return Object.assign(server, { baseUrl: `http://127.0.0.1:${address.port}` });
}

/** A browser context that talks to the server, optionally as if from another IP behind the (trusted) loopback proxy. */
export function newContext(
  browser: Browser,
  server: WebTestServer,
  options: BrowserContextOptions & { ip?: string } = {},
): Promise<BrowserContext> {
  const { ip, ...rest } = options;
  return browser.newContext({
    baseURL: server.baseUrl,
    viewport: { width: 1280, height: 800 },
    ...rest,
    extraHTTPHeaders: { ...rest.extraHTTPHeaders, ...(ip ? { 'X-Forwarded-For': ip } : {}) },
  });
}

/** Calls the admin API with the bootstrap token; returns status and parsed body. */
export async function adminApi(server: WebTestServer, method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** Changes the default authentication flow's login stage and returns its previous settings. */
export async function patchDefaultLoginStage(server: WebTestServer, fields: Record<string, unknown>) {
  const list = await adminApi(server, 'GET', '/api/v3/stages/user_login/?name=default-authentication-login');
  const stage = list.body.results.find((s: { name: string }) => s.name === 'default-authentication-login');
  const patched = await adminApi(server, 'PATCH', `/api/v3/stages/user_login/${stage.pk}/`, fields);
  expect(patched.status).toBe(200);
  return stage as Record<string, unknown> & { pk: string };
}

/**
 * Signs in through the pages, starting at `start` (a protected page sends the browser to the
 * login flow), and waits until the flow has brought the browser back.
 */
export async function signIn(
  page: Page,
  options: { start?: string; username?: string; password?: string; rememberMe?: boolean } = {},
) {
  const start = options.start ?? '/if/user/';
  await page.goto(start);
  await page.getByLabel('Username or email').fill(options.username ?? 'akadmin');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Password', { exact: true }).fill(options.password ?? ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  if (options.rememberMe !== undefined) {
    await page.getByRole('heading', { name: 'Stay signed in?' }).waitFor();
    await page.getByRole('button', { name: options.rememberMe ? 'Yes' : 'No', exact: true }).click();
  }
  await page.waitForURL((url) => !url.pathname.startsWith('/if/flow/'));
}

// The callbacks run in the page; `any` because the test code is compiled without the DOM types.
/** Whether the element has the keyboard focus. */
export function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate((element: any) => element === element.ownerDocument.activeElement);
}

/** Whether the focus is on the element or inside it (e.g. a dialog). */
export function containsFocus(locator: Locator): Promise<boolean> {
  return locator.evaluate((element: any) => element.contains(element.ownerDocument.activeElement));
}

const SCREENSHOTS = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));

/**
 * Saves a screenshot for the docs when `UPDATE_SCREENSHOTS=1`; ordinary runs leave the committed
 * images alone, since relative times and ids would change them on every run.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
}
