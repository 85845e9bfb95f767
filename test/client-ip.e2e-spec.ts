import { hashToken } from '@idp/core';
import { SessionCache } from '../libs/user-login/src/session-cache/session-cache.js';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpAdapterName } from '../apps/identity-server/src/create-app.js';
import { Browser, login } from './support/http.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from './support/test-server.js';

const ME = '/api/v3/core/users/me/';
const PEER = '127.0.0.1'; // supertest connects over loopback

// X-Forwarded-For from a trusted loopback peer (the default TRUSTED_PROXY_CIDRS), and the client IP
// the server must compute: the right-most entry that is not a trusted proxy, normalised.
const TRUSTED_PEER: Array<[xff: string | null, expected: string]> = [
  [null, PEER],
  ['203.0.113.9', '203.0.113.9'],
  ['203.0.113.9, 10.1.2.3', '203.0.113.9'],
  // A client can prepend anything; only what the trusted proxies appended counts.
  ['198.51.100.1, 203.0.113.9, 10.1.2.3', '203.0.113.9'],
  ['198.51.100.1,203.0.113.9 ,  192.168.7.7,10.1.2.3', '203.0.113.9'],
  // Every hop trusted: the left-most is the best there is.
  ['10.9.9.9, 10.1.2.3', '10.9.9.9'],
  ['::ffff:203.0.113.9', '203.0.113.9'],
  ['::FFFF:CB00:7109', '203.0.113.9'],
  ['2001:DB8:0:0:0:0:0:7', '2001:db8::7'],
  // Garbage never fails the request; without a usable address the peer is the client.
  ['garbage', PEER],
  ['203.0.113.9, not-an-ip', PEER],
  ['999.1.1.1', PEER],
  ['203.0.113.9:4711', PEER],
  ['[2001:db8::7]', PEER],
  [',,, ,', PEER],
  ['"203.0.113.9"', PEER],
  ['x'.repeat(4000), PEER],
];

// The same headers from a peer outside TRUSTED_PROXY_CIDRS are ignored entirely.
const UNTRUSTED_PEER: Array<[xff: string | null, expected: string]> = TRUSTED_PEER.map(([xff]) => [xff, PEER]);

/** Logs in (default stage: no binding, so the session follows every address) and returns a probe. */
async function probe(server: TestServer) {
  const browser = new Browser(server.http);
  await login(browser, 'akadmin', ADMIN_PASSWORD);
  const cookie = browser.cookieHeader;
  const { rows } = await server.db.query('SELECT uuid FROM sessions WHERE token_hash = $1', [
    hashToken(browser.cookie('idp_session')!),
  ]);
  const uuid = rows[0].uuid;
  // Resets last_ip to an address no case computes, so every request writes what it computed.
  return async (xff: string | null): Promise<string> => {
    await server.db.query(`UPDATE sessions SET last_ip = '192.0.2.254' WHERE uuid = $1`, [uuid]);
    // The change reaches the session cache through NOTIFY: wait until the cached copy is gone.
    const cache = server.app.get(SessionCache);
    for (const deadline = Date.now() + 10_000; cache.holds(uuid) && Date.now() < deadline;)
      await new Promise((resolve) => setImmediate(resolve));
    const test = request(server.http).get(ME).set('Cookie', cookie);
    if (xff !== null) test.set('X-Forwarded-For', xff);
    const response = await test;
    expect(response.status, `X-Forwarded-For: ${xff?.slice(0, 40)}`).toBe(200);
    return (await server.db.query('SELECT last_ip FROM sessions WHERE uuid = $1', [uuid])).rows[0].last_ip;
  };
}

describe.each<HttpAdapterName>(['fastify', 'express'])('client IP under the %s adapter', (adapter) => {
  let trusting: TestServer;
  let untrusting: TestServer;
  beforeAll(async () => {
    [trusting, untrusting] = await Promise.all([
      startTestServer({ adapter }),
      startTestServer({ adapter, env: { TRUSTED_PROXY_CIDRS: '10.0.0.0/8' } }),
    ]);
  });
  afterAll(async () => {
    await trusting?.close();
    await untrusting?.close();
  });

  it('a trusted peer: the right-most untrusted X-Forwarded-For entry, normalised; garbage falls back to the peer', async () => {
    const clientIpFor = await probe(trusting);
    const computed: Array<[string | null, string]> = [];
    for (const [xff] of TRUSTED_PEER) computed.push([xff, await clientIpFor(xff)]);
    expect(computed).toEqual(TRUSTED_PEER);
  });

  it('an untrusted peer: X-Forwarded-For is ignored', async () => {
    const clientIpFor = await probe(untrusting);
    const computed: Array<[string | null, string]> = [];
    for (const [xff] of UNTRUSTED_PEER) computed.push([xff, await clientIpFor(xff)]);
    expect(computed).toEqual(UNTRUSTED_PEER);
  });

  it('the login uses the same client IP: session last_ip and the login event client_ip', async () => {
    for (const [server, expected] of [
      [trusting, '203.0.113.9'],
      [untrusting, PEER],
    ] as const) {
      const browser = new Browser(server.http);
      browser.forwardedFor = '198.51.100.1, 203.0.113.9, 10.1.2.3';
      await login(browser, 'akadmin', ADMIN_PASSWORD);
      const { rows } = await server.db.query('SELECT uuid, last_ip FROM sessions WHERE token_hash = $1', [
        hashToken(browser.cookie('idp_session')!),
      ]);
      expect(rows[0].last_ip).toBe(expected);
      const event = await server.db.query(
        `SELECT client_ip FROM events WHERE action = 'login' AND context->>'session_uuid' = $1`,
        [rows[0].uuid],
      );
      expect(event.rows.map((row: { client_ip: string }) => row.client_ip)).toEqual([expected]);
    }
  });

  it('garbage X-Forwarded-For on an unauthenticated route is a normal answer, never a 500', async () => {
    for (const xff of ['garbage', ',,,', 'x'.repeat(4000), '::ffff:', '1.2.3.4.5']) {
      const response = await request(trusting.http)
        .get('/api/v3/flows/executor/default-authentication-flow/')
        .set('X-Forwarded-For', xff);
      expect(response.status, xff.slice(0, 20)).toBe(200);
      expect(response.body.component).toBe('ak-stage-identification');
    }
  });
});
