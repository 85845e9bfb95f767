import { EventService, type NewEvent } from '@idp/core';
// Internals of the module (not part of its public API), imported where they are tested.
import { SessionCache } from '../libs/user-login/src/session-cache/session-cache.js';
import { SessionInvalidationListener } from '../libs/user-login/src/session-cache/session-invalidation.listener.js';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { adminAuth } from './support/admin-api.js';
import { Browser, cookieFrom, login } from './support/http.js';
import { TcpCutProxy } from './support/tcp-cut-proxy.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from './support/test-server.js';

const AUTH_FLOW = '/api/v3/flows/executor/default-authentication-flow/';
// A bound, not a speed goal: the server's own waits are 5 s (connect) and 15 s (query).
const REQUEST_BOUND_MS = 45_000;
// A bound, not a speed goal: the listener retries at most 10 s apart.
const LISTENER_BACK_MS = 30_000;
const UNAVAILABLE = { detail: 'Service temporarily unavailable', code: 'database_unavailable' };

function tally(answers: Array<{ status: number }>): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const { status } of answers) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

function expectUnavailable(answers: Array<{ status: number; body: unknown; headers: Record<string, string> }>) {
  for (const answer of answers.filter((a) => a.status === 503)) {
    expect(answer.body).toEqual(UNAVAILABLE);
    expect(answer.headers['retry-after']).toBe('5');
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
  }
}

/**
 * During an outage: `health` liveness answers (204), the bearer-token list and the flow start
 * (which need PostgreSQL) answer 503, and the cookie check answers 503 or, from the session
 * cache, 200. Nothing else: no 500, no other status.
 */
function expectOutage(
  answers: Array<{ status: number; body: unknown; headers: Record<string, string>; cookieCheck: boolean }>,
  health: number,
) {
  const counts = tally(answers);
  expect(counts[204]).toBe(health);
  expect(Object.keys(counts).every((status) => ['200', '204', '503'].includes(status))).toBe(true);
  for (const answer of answers.filter((a) => a.status === 200)) expect(answer.cookieCheck).toBe(true);
  const cookieChecks = answers.filter((a) => a.cookieCheck).length;
  expect(counts[503]).toBeGreaterThanOrEqual(answers.length - health - cookieChecks);
  expectUnavailable(answers);
}

/**
 * Design section 11, "The database down": the server reaches PostgreSQL through a proxy the
 * test cuts (connections reset, as when the server dies; or blackholed, as in a partition) while
 * requests keep coming, then restores. The test's own client talks to PostgreSQL directly.
 */
describe('the database going away and coming back', () => {
  let proxy: TcpCutProxy;
  let server: TestServer;
  let admin: Browser;

  beforeAll(async () => {
    proxy = await TcpCutProxy.start(inject('databaseUrl'));
    server = await startTestServer({ appDatabaseUrl: proxy.url });
    admin = new Browser(server.http);
    expect((await login(admin, 'akadmin', ADMIN_PASSWORD)).body.component).toBe('xak-flow-redirect');
  });
  afterAll(async () => {
    proxy?.restore();
    await server?.close();
    await proxy?.close();
  });

  // Four kinds of request: a cookie session check, a bearer-token list, a flow start, liveness.
  const kinds = [
    () => request(server.http).get('/api/v3/core/users/me/').set('Cookie', admin.cookieHeader),
    () => request(server.http).get('/api/v3/core/authenticated_sessions/').set(adminAuth()),
    () => request(server.http).get(AUTH_FLOW),
    () => request(server.http).get('/-/health/live/'),
  ];

  /** `workers` clients in parallel, each sending `rounds` requests (cycling through the kinds). */
  async function load(workers: number, rounds: number) {
    const answers = await Promise.all(
      Array.from({ length: workers }, async (_, worker) => {
        const mine = [];
        for (let round = 0; round < rounds; round += 1) {
          const kind = (worker + round) % kinds.length;
          mine.push(Object.assign(await kinds[kind]().timeout(REQUEST_BOUND_MS), { cookieCheck: kind === 0 }));
        }
        return mine;
      }),
    );
    return answers.flat();
  }

  it('answers 503 with Retry-After while PostgreSQL refuses connections, never 500, and recovers by itself', async () => {
    expect(tally(await load(8, 4))).toEqual({ 200: 24, 204: 8 });

    proxy.cut('reset');
    const during = await load(8, 5);
    // Liveness needs no database; everything else answers 503, none 500, none left hanging
    // (a cookie check may also be answered from the session cache: 200).
    expectOutage(during, 10);
    // Readiness says so too (and names the part that is down).
    const ready = await request(server.http).get('/-/health/ready/');
    expect(ready.status).toBe(503);
    expect(ready.body.error.postgres.status).toBe('down');

    proxy.restore();
    await untilAvailable();
    expect(tally(await load(8, 4))).toEqual({ 200: 24, 204: 8 });
    expect((await request(server.http).get('/-/health/ready/')).status).toBe(200);
    // Nothing was lost: the session from before the outage still works.
    expect((await request(server.http).get('/api/v3/core/users/me/').set('Cookie', admin.cookieHeader)).status).toBe(
      200,
    );
    // The session cache's listener lost its connection too, failed to reconnect while the
    // database refused, and comes back by itself (its backoff is capped at 10 s).
    const listener = server.app.get(SessionInvalidationListener);
    const deadline = Date.now() + LISTENER_BACK_MS;
    while (listener.state !== 'listening' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(listener.state).toBe('listening');
    expect(server.app.get(SessionCache).active).toBe(true);
  });

  it('answers 503 within the bound when PostgreSQL stops answering (a partition), and recovers', async () => {
    proxy.cut('blackhole');
    const during = await load(4, 1);
    expectOutage(during, 1);
    proxy.restore();
    await untilAvailable();
    expect(tally(await load(4, 2))).toEqual({ 200: 6, 204: 2 });
  });

  it('leaves no session behind when a login is cut off half-way', async () => {
    const sessions = async () => Number((await server.db.query('SELECT count(*) AS n FROM sessions')).rows[0].n);
    const logins = async () =>
      Number((await server.db.query(`SELECT count(*) AS n FROM events WHERE action = 'login'`)).rows[0].n);
    const before = { sessions: await sessions(), logins: await logins() };
    const events = server.app.get(EventService);
    const record = events.record.bind(events);
    // The database goes away after the session row is written, just before the login event.
    const spy = vi.spyOn(events, 'record').mockImplementation((event: NewEvent, ...rest) => {
      if (event.action === 'login') proxy.cut('reset');
      return record(event, ...rest);
    });
    try {
      const browser = new Browser(server.http);
      const answer = await login(browser, 'akadmin', ADMIN_PASSWORD);
      expect(answer.status).toBe(503);
      expect(answer.body).toEqual(UNAVAILABLE);
      expect(cookieFrom(answer, 'idp_session')).toBeUndefined();
    } finally {
      spy.mockRestore();
      proxy.restore();
    }
    expect({ sessions: await sessions(), logins: await logins() }).toEqual(before);
    await untilAvailable();
    expect((await login(new Browser(server.http), 'akadmin', ADMIN_PASSWORD)).body.component).toBe('xak-flow-redirect');
  });

  /** After a restore, the pool may hand out one dead connection per slot before it reconnects. */
  async function untilAvailable(): Promise<void> {
    for (let attempt = 0; attempt < 30; attempt += 1) {
      const answer = await request(server.http).get('/api/v3/core/authenticated_sessions/').set(adminAuth());
      if (answer.status === 200) return;
      expect(answer.status).toBe(503);
    }
    throw new Error('the server did not recover within 30 requests');
  }
});
