import { GeoIpService, hashToken } from '@idp/core';
import { BINDING_REASONS, GEOIP_BINDINGS, NETWORK_BINDINGS } from '@idp/user-login';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { label, MOVES, type Geo, type Network } from './fixtures/binding-moves.js';
import { ASN_OF, geoOf, IP, writeBindingDatabases } from './fixtures/session-binding-fixtures.js';
import { Browser, login, setCookieLine } from './support/http.js';
import { ADMIN_PASSWORD, ADMIN_TOKEN, startTestServer, type TestServer } from './support/test-server.js';

const ME = '/api/v3/core/users/me/';
const LOGIN_PAGE = '/flows/-/default/authentication/';
const BROKEN = { detail: 'Session binding broken', code: 'session_binding_broken' };

describe('session binding on every request (Fastify, real Postgres, generated GeoIP/ASN databases)', () => {
  let server: TestServer;
  let dir: string;
  let stagePk: string;
  let admin: { pk: number; username: string; email: string };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idp-binding-'));
    server = await startTestServer({ env: writeBindingDatabases(dir) });
    stagePk = (await server.db.query(`SELECT stage_uuid FROM stages WHERE name = 'default-authentication-login'`))
      .rows[0].stage_uuid;
    admin = (await server.db.query(`SELECT pk, username, email FROM users WHERE username = 'akadmin'`)).rows[0];
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function configure(network: Network, geoip: Geo): Promise<void> {
    const response = await request(server.http)
      .patch(`/api/v3/stages/user_login/${stagePk}/`)
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
      .send({ network_binding: network, geoip_binding: geoip });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
  }

  /** Logs in from `ip` at the given levels; returns the browser and the new session's uuid. */
  async function loginFrom(ip: string, network: Network, geoip: Geo) {
    await configure(network, geoip);
    const browser = new Browser(server.http);
    browser.forwardedFor = ip;
    expect((await login(browser, 'akadmin', ADMIN_PASSWORD)).body.component).toBe('xak-flow-redirect');
    const { rows } = await server.db.query(
      'SELECT uuid, last_ip, network_binding, geoip_binding FROM sessions WHERE token_hash = $1',
      [hashToken(browser.cookie('idp_session')!)],
    );
    expect(rows[0]).toMatchObject({ last_ip: ip, network_binding: network, geoip_binding: geoip });
    return { browser, uuid: rows[0].uuid as string };
  }

  const sessionRow = async (uuid: string) =>
    (await server.db.query('SELECT last_ip FROM sessions WHERE uuid = $1', [uuid])).rows[0];
  const logoutEvents = async (uuid: string) =>
    (
      await server.db.query(
        `SELECT app, "user", context, client_ip FROM events WHERE action = 'logout' AND context->>'session_uuid' = $1`,
        [uuid],
      )
    ).rows;

  const breaks = MOVES.filter((m) => m.reason !== null);
  const passes = MOVES.filter((m) => m.reason === null);

  // The moves are hand-written fixtures; this ties them to the reason codes and levels the
  // domain declares, so a code or level added there without a move here fails.
  it('covers every binding level and every reason code the domain declares', () => {
    expect(new Set(breaks.map((m) => m.reason))).toEqual(new Set(BINDING_REASONS));
    expect(new Set(MOVES.map((m) => m.network))).toEqual(new Set(NETWORK_BINDINGS));
    expect(new Set(MOVES.map((m) => m.geoip))).toEqual(new Set(GEOIP_BINDINGS));
  });

  describe.each(['application/json', 'text/html'])('a broken binding, Accept: %s', (accept) => {
    it.each(breaks.map((m) => [label(m), m] as const))('%s', async (_, move) => {
      const { browser, uuid } = await loginFrom(move.from, move.network, move.geoip);
      const token = browser.cookie('idp_session')!;
      browser.forwardedFor = move.to;
      const response = await browser.get(`${ME}?tab=2`, { Accept: accept });

      if (accept === 'text/html') {
        expect(response.status).toBe(302);
        expect(response.headers.location).toBe(
          `${LOGIN_PAGE}?next=${encodeURIComponent(`${ME}?tab=2`)}&reason=binding_broken`,
        );
      } else {
        expect(response.status).toBe(401);
        expect(response.body).toEqual(BROKEN);
      }
      expect(setCookieLine(response, 'idp_session')).toMatch(/^idp_session=;.*Max-Age=0/i);
      expect(await sessionRow(uuid)).toBeUndefined();

      const events = await logoutEvents(uuid);
      expect(events).toHaveLength(1);
      const [event] = events;
      expect(event.user).toEqual({ pk: admin.pk, username: 'akadmin', email: admin.email });
      expect(event.client_ip).toBe(move.to);
      expect(event.app).toBe('idp.user_login');
      const { context } = event;
      expect(context.binding.reason).toBe(move.reason);
      expect(context.binding.previous_value).toEqual(move.previous);
      expect(context.binding.new_value).toEqual(move.next);
      expect(context.ip).toEqual({ previous: move.from, new: move.to });
      expect(context.asn).toEqual(ASN_OF[move.to]);
      expect('asn' in context).toBe(ASN_OF[move.to] !== undefined);
      expect(context.geo).toEqual(geoOf(move.to));
      expect('geo' in context).toBe(geoOf(move.to) !== undefined);
      expect(context.http_request).toEqual({
        args: { tab: '2' },
        path: ME,
        method: 'GET',
        user_agent: browser.userAgent,
      });
      expect(context.logout_reason).toBe('Session binding broken');

      // The cookie is dead for good, also back at the original address.
      const again = await request(server.http)
        .get(ME)
        .set('X-Forwarded-For', move.from)
        .set('Cookie', `idp_session=${token}`);
      expect(again.status).toBe(401);
      expect(again.body.code).toBe('not_authenticated');
    });
  });

  it.each(passes.map((m) => [label(m), m] as const))('a kept binding: %s moves last_ip', async (_, move) => {
    const { browser, uuid } = await loginFrom(move.from, move.network, move.geoip);
    browser.forwardedFor = move.to;
    const response = await browser.get(ME);
    expect(response.status).toBe(200);
    expect(response.body.user.username).toBe('akadmin');
    expect((await sessionRow(uuid)).last_ip).toBe(move.to);
    expect(await logoutEvents(uuid)).toHaveLength(0);
  });

  it('the same IP always passes, even one neither database knows, at the strictest levels', async () => {
    const { browser, uuid } = await loginFrom(IP.unknown, 'bind_asn_network_ip', 'bind_continent_country_city');
    for (let i = 0; i < 3; i++) expect((await browser.get(ME)).status).toBe(200);
    expect((await sessionRow(uuid)).last_ip).toBe(IP.unknown);
    expect(await logoutEvents(uuid)).toHaveLength(0);
  });

  it('no_binding never breaks: the session follows the client through unknown, foreign and other-continent addresses', async () => {
    const { browser, uuid } = await loginFrom(IP.netA1, 'no_binding', 'no_binding');
    for (const ip of [IP.unknown, IP.telefonica, IP.newYork, '2001:db8::7', IP.netA1]) {
      browser.forwardedFor = ip;
      expect((await browser.get(ME)).status, ip).toBe(200);
      expect((await sessionRow(uuid)).last_ip).toBe(ip);
    }
    expect(await logoutEvents(uuid)).toHaveLength(0);
  });

  it('compares with the last address that passed, not the login address', async () => {
    const { browser, uuid } = await loginFrom(IP.berlin, 'no_binding', 'bind_continent_country');
    browser.forwardedFor = IP.hamburg; // same country: passes, last_ip moves
    expect((await browser.get(ME)).status).toBe(200);
    browser.forwardedFor = IP.paris;
    expect((await browser.get(ME)).status).toBe(401);
    const [event] = await logoutEvents(uuid);
    expect(event.context.ip).toEqual({ previous: IP.hamburg, new: IP.paris });
  });

  it('30 parallel requests from a new address: all rejected, the row gone, exactly one logout event', async () => {
    const { browser, uuid } = await loginFrom(IP.netA1, 'bind_asn', 'no_binding');
    const cookie = browser.cookieHeader;
    const responses = await Promise.all(
      Array.from({ length: 30 }, () =>
        request(server.http).get(ME).set('Cookie', cookie).set('X-Forwarded-For', IP.netB),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(30).fill(401));
    const codes = responses.map((r) => r.body.code);
    // A request that arrives after the delete finds no session at all.
    expect(codes.every((code) => code === 'session_binding_broken' || code === 'not_authenticated')).toBe(true);
    expect(codes).toContain('session_binding_broken');
    expect(await sessionRow(uuid)).toBeUndefined();
    const events = await logoutEvents(uuid);
    expect(events).toHaveLength(1);
    expect(events[0].context.binding).toEqual({ reason: 'network.asn', previous_value: 64500, new_value: 64501 });
  });

  it('stays lean: a cached session on the same IP costs no statement and no lookup; a kept move adds one UPDATE and only the lookups its levels need, once per network', async () => {
    const MOVE_IP = '198.51.100.41';
    const SAME_NETWORK_NEW_IP = '198.51.100.42';
    const geoip = server.app.get(GeoIpService);
    const logger = server.app.get(DataSource).logger;
    const statements: string[] = [];
    // Anything else the server might run meanwhile (expiry sweeps) is not the request's cost.
    const requestStatements = () =>
      statements
        .filter((sql) => !/expires\s*<=/i.test(sql))
        .map((sql) => /^\s*(UPDATE\s+\S+|\w+)/.exec(sql)![1].replaceAll('"', '').replace(/\S+\./, '').toUpperCase());
    const measure = async (browser: Browser, ip: string) => {
      statements.length = 0;
      asn.mockClear();
      city.mockClear();
      browser.forwardedFor = ip;
      expect((await browser.get(ME)).status).toBe(200);
      return {
        statements: requestStatements(),
        asn: asn.mock.calls.map(([a]) => a),
        city: city.mock.calls.map(([a]) => a),
      };
    };
    const both = await loginFrom(IP.netA1, 'bind_asn_network', 'bind_continent_country');
    const networkOnly = await loginFrom(IP.netA1, 'bind_asn', 'no_binding');
    const unbound = await loginFrom(IP.netA1, 'no_binding', 'no_binding');
    const log = vi.spyOn(logger, 'logQuery').mockImplementation((sql: string) => void statements.push(sql));
    // The per-request lookup bypasses TypeORM (a named prepared statement on the pg pool).
    const pool = (
      server.app.get(DataSource).driver as unknown as { master: { query: (...args: unknown[]) => unknown } }
    ).master;
    const poolQuery = pool.query;
    const direct = vi.spyOn(pool, 'query').mockImplementation(function (this: unknown, ...args: unknown[]) {
      const config = args[0];
      statements.push(typeof config === 'string' ? config : (config as { text: string }).text);
      return poolQuery.apply(pool, args);
    });
    // GeoIP answers are cached per network of the database files (IpFactsService).
    const asn = vi.spyOn(geoip, 'asnRegion');
    const city = vi.spyOn(geoip, 'cityRegion');
    try {
      // The first use reads the session (one SELECT) and caches it: the same IP then costs nothing.
      expect(await measure(both.browser, IP.netA1)).toEqual({ statements: ['SELECT'], asn: [], city: [] });
      expect(await measure(both.browser, IP.netA1)).toEqual({ statements: [], asn: [], city: [] });
      // Reloading the files empties that cache, so the lookups below are the requests' own.
      expect(await geoip.asnDatabase!.reload()).toBe(true);
      expect(await geoip.cityDatabase!.reload()).toBe(true);
      // A kept move: one lookup of the network the session comes from (netA1's, which holds the
      // new address too) and one UPDATE (written at once here; behind, coalesced, in production).
      // A network-only binding never reads the City database.
      expect(await measure(networkOnly.browser, SAME_NETWORK_NEW_IP)).toEqual({
        statements: ['SELECT', 'UPDATE SESSIONS'],
        asn: [IP.netA1],
        city: [],
      });
      // The ASN answer for that network is known now; the City one is looked up once, here.
      expect(await measure(both.browser, MOVE_IP)).toEqual({
        statements: ['UPDATE SESSIONS'],
        asn: [],
        city: [IP.netA1],
      });
      expect(await measure(both.browser, MOVE_IP)).toEqual({ statements: [], asn: [], city: [] });
      expect(await measure(unbound.browser, IP.netB)).toEqual({
        statements: ['SELECT', 'UPDATE SESSIONS'],
        asn: [],
        city: [],
      });
    } finally {
      log.mockRestore();
      direct.mockRestore();
      asn.mockRestore();
      city.mockRestore();
    }
    expect((await sessionRow(both.uuid)).last_ip).toBe(MOVE_IP);
  });
});
