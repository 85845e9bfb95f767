import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpAdapterName } from '../apps/identity-server/src/create-app.js';
import { MetricsService } from '../apps/identity-server/src/operations/metrics/metrics.service.js';
import { IP, writeBindingDatabases } from './fixtures/session-binding-fixtures.js';
import { patchDefaultLoginStage } from './support/admin-api.js';
import { LogLines } from './support/log-lines.js';
import { Browser, login } from './support/http.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from './support/test-server.js';

const ME = '/api/v3/core/users/me/';
const FLOW = '/api/v3/flows/executor/default-authentication-flow/';

/**
 * A POST whose body reaches the server in a later packet than its headers, as from a slow
 * client: the server reads it in another async context than the one the request started in.
 */
async function postInTwoPackets(
  server: TestServer,
  browser: Browser,
  path: string,
  body: unknown,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Record<string, unknown> }> {
  if (!server.http.listening) await new Promise<void>((done) => server.http.listen(0, '127.0.0.1', done));
  const payload = JSON.stringify(body);
  const req = http.request({
    host: '127.0.0.1',
    port: (server.http.address() as AddressInfo).port,
    method: 'POST',
    path,
    headers: {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      cookie: browser.cookieHeader,
      'x-forwarded-for': browser.forwardedFor!,
    },
  });
  const answer = new Promise<http.IncomingMessage>((done, fail) => req.on('response', done).on('error', fail));
  req.flushHeaders();
  await sleep(50);
  req.end(payload);
  const response = await answer;
  let text = '';
  for await (const chunk of response) text += String(chunk);
  return { status: response.statusCode!, headers: response.headers, body: JSON.parse(text) };
}

async function sessionOf(server: TestServer): Promise<{ session: string; user: string }> {
  const { rows } = await server.db.query(
    `SELECT s.uuid AS session, u.uuid AS user FROM sessions s JOIN users u ON u.pk = s.user_pk ORDER BY s.created DESC LIMIT 1`,
  );
  return rows[0];
}

/** A server for the surrounding describe block whose log lines, at `level`, land in `log`. */
function serverLoggingTo(level: 'info' | 'warn', adapter?: HttpAdapterName): { log: LogLines; server: TestServer } {
  const booted = { log: new LogLines(), server: undefined as unknown as TestServer };
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idp-request-logs-'));
    booted.server = await startTestServer({
      adapter,
      env: { ...writeBindingDatabases(dir), LOG_LEVEL: level },
      logDestination: booted.log,
    });
  });
  afterAll(async () => {
    await booted.server?.close();
    await rm(dir, { recursive: true, force: true });
  });
  return booted;
}

describe.each<HttpAdapterName>(['fastify', 'express'])('request logs and the request metric (%s)', (adapter) => {
  const booted = serverLoggingTo('info', adapter);
  const { log } = booted;

  it('one line per request: its id (also in X-Request-Id), method, path without query, route, status, duration, user and session', async () => {
    const browser = new Browser(booted.server.http);
    browser.forwardedFor = IP.netA1;
    await login(browser, 'akadmin', ADMIN_PASSWORD);
    const me = await browser.get(`${ME}?secret=query`);
    expect(me.status).toBe(200);
    const reqId = me.headers['x-request-id'];
    expect(reqId).toMatch(/^[0-9a-f-]{36}$/);

    const lines = log.of(reqId);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: 'request completed',
      method: 'GET',
      path: ME,
      route: '/api/v3/core/users/me',
      status: 200,
      ...(await sessionOf(booted.server)),
    });
    expect(typeof lines[0].duration).toBe('number');
    expect(typeof lines[0].time).toBe('string');
    expect(JSON.stringify(log.lines)).not.toContain('secret=query');
  });

  it('the login: the line of the POST that signed in names the new user and session, and so does the "login success" line', async () => {
    const browser = new Browser(booted.server.http);
    browser.forwardedFor = IP.netA1;
    await browser.get(FLOW);
    await browser.post(FLOW, { component: 'ak-stage-identification', uid_field: 'akadmin' });
    const signedIn = await postInTwoPackets(booted.server, browser, FLOW, {
      component: 'ak-stage-password',
      password: ADMIN_PASSWORD,
    });
    expect(signedIn.body.component).toBe('xak-flow-redirect');

    const reqId = signedIn.headers['x-request-id'];
    const owner = await sessionOf(booted.server);
    const requestLine = log.of(reqId).find((l) => l.msg === 'request completed');
    // The body arrived after the request had started: the handler still runs in its log context.
    expect(requestLine).toMatchObject({ method: 'POST', status: 200, ...owner });
    expect(log.of(reqId).find((l) => l.msg === 'login success')).toMatchObject({
      level: 30,
      userUuid: owner.user,
      sessionUuid: owner.session,
      user: owner.user,
    });
  });

  it('a broken binding: the warning carries the id, user and session of the request that broke it', async () => {
    await patchDefaultLoginStage(booted.server, { network_binding: 'bind_asn', geoip_binding: 'no_binding' });
    try {
      const browser = new Browser(booted.server.http);
      browser.forwardedFor = IP.netA1;
      await login(browser, 'akadmin', ADMIN_PASSWORD);
      const owner = await sessionOf(booted.server);
      browser.forwardedFor = IP.netB;
      const broken = await browser.get(ME);
      expect(broken.status).toBe(401);
      const reqId = broken.headers['x-request-id'];

      const warning = log.of(reqId).find((l) => l.msg === 'session binding broken, session terminated');
      expect(warning).toMatchObject({ level: 40, context: 'SessionBinding', ...owner });
      expect(log.of(reqId).find((l) => l.msg === 'request completed')).toMatchObject({ status: 401, ...owner });
    } finally {
      await patchDefaultLoginStage(booted.server, { network_binding: 'no_binding', geoip_binding: 'no_binding' });
    }
  });

  it('requests the browser rules refuse and unmatched paths are logged and counted too; health probes only at debug', async () => {
    const registry = booted.server.app.get(MetricsService).registry;
    const count = async (labels: string) => {
      const text = await registry.metrics();
      const line = text.split('\n').find((l) => l.startsWith(`http_request_duration_seconds_count{${labels}}`));
      return line === undefined ? 0 : Number(line.split(' ').at(-1));
    };
    // Express routes after its middleware, so a request the browser rules refuse has no route there.
    const refusedRoute = adapter === 'fastify' ? '/api/v3/flows/executor/:slug' : 'unmatched';
    const refusedBefore = await count(`method="POST",route="${refusedRoute}",status="403"`);
    const unmatchedBefore = await count('method="GET",route="unmatched",status="404"');

    const refused = await request(booted.server.http).post(FLOW).set('Origin', 'https://evil.example').send({});
    expect(refused.status).toBe(403);
    const unmatched = await request(booted.server.http).get('/no/such/path');
    expect(unmatched.status).toBe(404);
    const probe = await request(booted.server.http).get('/-/health/live/');
    expect(probe.status).toBe(204);

    expect(log.of(refused.headers['x-request-id'])).toEqual([
      expect.objectContaining({ msg: 'request completed', method: 'POST', route: refusedRoute, status: 403 }),
    ]);
    expect(log.of(unmatched.headers['x-request-id'])).toEqual([
      expect.objectContaining({ msg: 'request completed', route: 'unmatched', status: 404 }),
    ]);
    expect(log.of(probe.headers['x-request-id'])).toEqual([]);
    expect(await count(`method="POST",route="${refusedRoute}",status="403"`)).toBe(refusedBefore + 1);
    expect(await count('method="GET",route="unmatched",status="404"')).toBe(unmatchedBefore + 1);
  });
});

describe('request logs at LOG_LEVEL=warn', () => {
  const booted = serverLoggingTo('warn');
  const { log } = booted;

  it('writes no request line for an answered request, but a warning still names the request, user and session', async () => {
    await patchDefaultLoginStage(booted.server, { network_binding: 'bind_asn', geoip_binding: 'no_binding' });
    const browser = new Browser(booted.server.http);
    browser.forwardedFor = IP.netA1;
    await login(browser, 'akadmin', ADMIN_PASSWORD);
    const owner = await sessionOf(booted.server);
    expect((await browser.get(ME)).status).toBe(200);
    browser.forwardedFor = IP.netB;
    const broken = await browser.get(ME);
    expect(broken.status).toBe(401);

    expect(log.requests()).toEqual([]);
    expect(log.lines).toEqual([
      expect.objectContaining({
        level: 40,
        msg: 'session binding broken, session terminated',
        reqId: broken.headers['x-request-id'],
        ...owner,
      }),
    ]);
  });
});
