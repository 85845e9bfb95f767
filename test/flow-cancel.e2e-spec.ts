import { hashToken } from '@idp/core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, login, setCookieLine } from './support/http.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from './support/test-server.js';

const FLOW = '/api/v3/flows/executor/default-authentication-flow/';

describe('cancelling a flow ("Not you?"): DELETE /api/v3/flows/executor/{slug}/', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  async function executionRow(browser: Browser) {
    const token = browser.cookie('idp_flow');
    if (!token) return undefined;
    const { rows } = await server.db.query(
      'SELECT position, pending_user_pk FROM flow_executions WHERE token_hash = $1',
      [hashToken(token)],
    );
    return rows[0];
  }

  it('forgets the pending user: the row is gone, the cookie is cleared, and the next GET starts at identification', async () => {
    const browser = new Browser(server.http);
    await browser.get(`${FLOW}?next=/if/admin/`);
    const password = await browser.post(FLOW, { component: 'ak-stage-identification', uid_field: 'akadmin' });
    expect(password.body.component).toBe('ak-stage-password');
    const token = browser.cookie('idp_flow')!;
    expect(await executionRow(browser)).toMatchObject({ position: 1, pending_user_pk: expect.any(Number) });

    const cancelled = await browser.delete(FLOW);
    expect(cancelled.status).toBe(204);
    expect(setCookieLine(cancelled, 'idp_flow')).toMatch(/^idp_flow=;.*Max-Age=0/i);
    expect(setCookieLine(cancelled, 'idp_flow')).toMatch(/Path=\//);
    expect(browser.cookie('idp_flow')).toBeUndefined();
    const { rows } = await server.db.query('SELECT 1 FROM flow_executions WHERE token_hash = $1', [hashToken(token)]);
    expect(rows).toHaveLength(0);

    const again = await browser.get(FLOW);
    expect(again.body.component).toBe('ak-stage-identification');
    expect(browser.cookie('idp_flow')).not.toBe(token);
  });

  it('never touches the login session: a signed-in browser stays signed in', async () => {
    const browser = new Browser(server.http);
    const done = await login(browser, 'akadmin', ADMIN_PASSWORD);
    expect(done.body.component).toBe('xak-flow-redirect');
    const session = browser.cookie('idp_session')!;
    await browser.get(FLOW);
    await browser.post(FLOW, { component: 'ak-stage-identification', uid_field: 'akadmin' });

    const cancelled = await browser.delete(FLOW);
    expect(cancelled.status).toBe(204);
    expect(setCookieLine(cancelled, 'idp_session')).toBeUndefined();
    expect(browser.cookie('idp_session')).toBe(session);
    const { rows } = await server.db.query('SELECT 1 FROM sessions WHERE token_hash = $1', [hashToken(session)]);
    expect(rows).toHaveLength(1);
    expect((await browser.get('/api/v3/core/users/me/')).body.user.username).toBe('akadmin');
  });

  it('only deletes the flow state of the browser that asks', async () => {
    const [mine, theirs] = [new Browser(server.http), new Browser(server.http)];
    for (const browser of [mine, theirs]) {
      await browser.get(FLOW);
      await browser.post(FLOW, { component: 'ak-stage-identification', uid_field: 'akadmin' });
    }
    await mine.delete(FLOW);
    expect(await executionRow(theirs)).toMatchObject({ position: 1 });
    expect((await theirs.get(FLOW)).body.component).toBe('ak-stage-password');
  });

  it('answers 204 and clears the cookie for a missing, unknown, over-long or garbage flow cookie', async () => {
    const before = await server.db.query('SELECT count(*)::int AS n FROM flow_executions');
    const cookies = [undefined, 'idp_flow=not-a-token', `idp_flow=${'x'.repeat(500)}`, 'idp_flow=%E0%A4%A; other=1'];
    for (const cookie of cookies) {
      const call = request(server.http).delete(FLOW);
      const response = await (cookie ? call.set('Cookie', cookie) : call);
      expect(response.status).toBe(204);
      expect(setCookieLine(response, 'idp_flow')).toMatch(/^idp_flow=;/);
    }
    const after = await server.db.query('SELECT count(*)::int AS n FROM flow_executions');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('answers an unknown flow with 404 and leaves the flow state alone', async () => {
    const browser = new Browser(server.http);
    await browser.get(FLOW);
    await browser.post(FLOW, { component: 'ak-stage-identification', uid_field: 'akadmin' });
    const response = await browser.delete('/api/v3/flows/executor/no-such-flow/');
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ code: 'flow_not_found', detail: expect.stringContaining('no-such-flow') });
    expect(await executionRow(browser)).toMatchObject({ position: 1 });
  });

  it('works the same under the Express adapter', async () => {
    const express = await startTestServer({ adapter: 'express' });
    try {
      const browser = new Browser(express.http);
      await browser.get(FLOW);
      await browser.post(FLOW, { component: 'ak-stage-identification', uid_field: 'akadmin' });
      const token = browser.cookie('idp_flow')!;
      const cancelled = await browser.delete(FLOW);
      expect(cancelled.status).toBe(204);
      expect(setCookieLine(cancelled, 'idp_flow')).toMatch(/^idp_flow=;.*Max-Age=0/i);
      const { rows } = await express.db.query('SELECT 1 FROM flow_executions WHERE token_hash = $1', [
        hashToken(token),
      ]);
      expect(rows).toHaveLength(0);
      expect((await browser.get(FLOW)).body.component).toBe('ak-stage-identification');
    } finally {
      await express.close();
    }
  });
});
