import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, newContext, startWebServer, type WebTestServer } from './support/browser.js';

describe('API docs page (Swagger UI) in a real browser', () => {
  let server: WebTestServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startWebServer();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('renders every route group from the package assets under its own CSP, asking no other origin', async () => {
    const context = await newContext(browser, server);
    const page = await context.newPage();
    const violations: string[] = [];
    const foreign: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    page.on('request', (req) => {
      if (!req.url().startsWith(server.baseUrl) && !req.url().startsWith('data:')) foreign.push(req.url());
    });
    await page.goto('/api/v3/docs/');
    await page.locator('.opblock').first().waitFor();
    expect(await page.locator('.opblock-tag').allTextContents()).toEqual(
      expect.arrayContaining(['flows', 'stages', 'users', 'sessions', 'events']),
    );
    expect(await page.locator('.opblock').count()).toBeGreaterThan(40);
    expect(violations).toEqual([]);
    expect(foreign).toEqual([]);
    await context.close();
  });
});
