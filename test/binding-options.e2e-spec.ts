// The second-round binding options of the User Login stage (docs/api.md), end to end over
// HTTP: binding_mode, on_missing_record, binding_exempt_cidrs and ipv6_prefix, plus the admin
// API's validation of every new field.
import { hashToken } from '@idp/core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../apps/identity-server/src/api/docs/openapi.js';
import { asnRecord, cityRecord, writeAsnDb, writeCityDb } from './fixtures/geoip-fixtures.js';
import { adminAuth } from './support/admin-api.js';
import { Browser, login } from './support/http.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from './support/test-server.js';

const ME = '/api/v3/core/users/me/';
const STAGES = '/api/v3/stages/user_login/';

/** Addresses, by what the generated databases say about them. */
const IP = {
  /** AS64500, Berlin. */
  home: '198.51.100.10',
  /** AS64500, Berlin, another address. */
  home2: '198.51.100.20',
  /** AS64501, New York. */
  away: '203.0.113.5',
  /** AS64501, New York (from the overlay databases): the office VPN's exit network, exempted below. */
  vpn: '100.70.0.5',
  /** In neither database. */
  unknown: '192.0.2.1',
  /** AS64502, Berlin: one /64 (two privacy addresses) and another /64 of the same /48. */
  v6a: '2001:db8:1:1::a',
  v6b: '2001:db8:1:1::b',
  v6other: '2001:db8:1:2::a',
} as const;
const VPN_NETWORK = '100.70.0.0/16';

function writeDatabases(dir: string) {
  const berlin = cityRecord({ continent: 'EU', country: 'DE', city: 'Berlin', lat: 52.52, long: 13.405 });
  const newYork = cityRecord({ continent: 'NA', country: 'US', city: 'New York', lat: 40.7128, long: -74.006 });
  return {
    GEOIP_ASN_DB: writeAsnDb(join(dir, 'asn.mmdb'), [
      ['198.51.100.0/24', asnRecord(64500, 'Home ISP')],
      ['203.0.113.0/24', asnRecord(64501, 'Away ISP')],
      ['2001:db8::/32', asnRecord(64502, 'IPv6 ISP')],
    ]),
    GEOIP_CITY_DB: writeCityDb(join(dir, 'city.mmdb'), [
      ['198.51.100.0/24', berlin],
      ['203.0.113.0/24', newYork],
      ['2001:db8::/32', berlin],
    ]),
    // The VPN's exit network is known only to the overlays (GEOIP_*_DB_OVERLAY): this also shows
    // that the server consults them.
    GEOIP_ASN_DB_OVERLAY: writeAsnDb(join(dir, 'asn-overlay.mmdb'), [['100.70.0.0/16', asnRecord(64501, 'Away ISP')]]),
    GEOIP_CITY_DB_OVERLAY: writeCityDb(join(dir, 'city-overlay.mmdb'), [['100.70.0.0/16', newYork]]),
  };
}

describe('binding options of the User Login stage (Fastify, real Postgres, generated GeoIP/ASN databases)', () => {
  let server: TestServer;
  let dir: string;
  let stagePk: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idp-binding-options-'));
    server = await startTestServer({ env: writeDatabases(dir) });
    stagePk = (await server.db.query(`SELECT stage_uuid FROM stages WHERE name = 'default-authentication-login'`))
      .rows[0].stage_uuid;
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await server.db.query('DELETE FROM sessions');
    await server.db.query('DELETE FROM events');
  });

  const api = () => request(server.http);
  async function configure(fields: Record<string, unknown>) {
    const defaults = {
      network_binding: 'no_binding',
      geoip_binding: 'no_binding',
      binding_mode: 'enforce',
      on_missing_record: 'terminate',
      binding_exempt_cidrs: [],
      ipv6_prefix: 128,
    };
    const response = await api()
      .patch(`${STAGES}${stagePk}/`)
      .set(adminAuth())
      .send({ ...defaults, ...fields });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
  }
  async function loginFrom(ip: string) {
    const browser = new Browser(server.http);
    browser.forwardedFor = ip;
    expect((await login(browser, 'akadmin', ADMIN_PASSWORD)).body.component).toBe('xak-flow-redirect');
    const { rows } = await server.db.query('SELECT * FROM sessions WHERE token_hash = $1', [
      hashToken(browser.cookie('idp_session')!),
    ]);
    return { browser, session: rows[0] };
  }
  async function from(browser: Browser, ip: string) {
    browser.forwardedFor = ip;
    return browser.get(ME);
  }
  const sessionRow = async (uuid: string) =>
    (await server.db.query('SELECT * FROM sessions WHERE uuid = $1', [uuid])).rows[0];
  const events = async (action: string) =>
    (
      await server.db.query(`SELECT app, "user", context, client_ip FROM events WHERE action = $1 ORDER BY created`, [
        action,
      ])
    ).rows;

  describe('admin API', () => {
    it('stores each new field and copies it onto the sessions the stage creates', async () => {
      const patched = await api()
        .patch(`${STAGES}${stagePk}/`)
        .set(adminAuth())
        .send({
          binding_mode: 'log',
          on_missing_record: 'allow',
          binding_exempt_cidrs: [VPN_NETWORK, '2001:db8:ffff::/48'],
          ipv6_prefix: 64,
          session_idle_timeout: 'hours=1',
          max_sessions: 3,
          on_limit: 'deny',
        });
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      const expected = {
        binding_mode: 'log',
        on_missing_record: 'allow',
        binding_exempt_cidrs: [VPN_NETWORK, '2001:db8:ffff::/48'],
        ipv6_prefix: 64,
        session_idle_timeout: 'hours=1',
        max_sessions: 3,
        on_limit: 'deny',
      };
      expect(patched.body).toMatchObject(expected);
      expect((await api().get(`${STAGES}${stagePk}/`).set(adminAuth())).body).toMatchObject(expected);
      const row = (await server.db.query('SELECT * FROM user_login_stages WHERE stage_uuid = $1', [stagePk])).rows[0];
      expect(row).toMatchObject({ ...expected });

      const { session } = await loginFrom(IP.home);
      expect(session).toMatchObject({
        binding_mode: 'log',
        on_missing_record: 'allow',
        binding_exempt_cidrs: [VPN_NETWORK, '2001:db8:ffff::/48'],
        ipv6_prefix: 64,
        idle_timeout_ms: 3_600_000,
        network_reference_ip: null,
        geoip_reference_ip: null,
      });
      expect(new Date(session.idle_expires).getTime() - new Date(session.last_used).getTime()).toBe(3_600_000);

      // back to the defaults for the other tests
      await configure({ session_idle_timeout: 'seconds=0', max_sessions: 0, on_limit: 'evict_oldest' });
    });

    it.each([
      ['binding_mode', 'loud', /not a valid choice. Choose one of: enforce, log/],
      ['binding_mode', null, /not a valid choice/],
      ['on_missing_record', 'maybe', /Choose one of: terminate, allow/],
      ['binding_exempt_cidrs', '10.0.0.0/8', /list of CIDR strings/],
      ['binding_exempt_cidrs', ['10.0.0.1/8'], /did you mean "10.0.0.0\/8"/],
      ['binding_exempt_cidrs', ['10.0.0.0/8', 'office'], /"office" is not a network/],
      ['ipv6_prefix', 0, /greater than or equal to 1/],
      ['ipv6_prefix', 129, /less than or equal to 128/],
      ['ipv6_prefix', 64.5, /valid integer/],
      ['ipv6_prefix', '64', /valid integer/],
      ['session_idle_timeout', 'minutes=-1', /session_idle_timeout must not be negative/],
      ['session_idle_timeout', 'half an hour', /is not in the correct format of 'hours=3;minutes=1'/],
      ['max_sessions', -1, /greater than or equal to 0/],
      ['max_sessions', 1.5, /valid integer/],
      ['on_limit', 'oldest', /Choose one of: evict_oldest, deny/],
    ])('%s = %j is a 400 naming the field, and nothing is written', async (field, value, message) => {
      const before = (await server.db.query('SELECT * FROM user_login_stages WHERE stage_uuid = $1', [stagePk]))
        .rows[0];
      const response = await api()
        .patch(`${STAGES}${stagePk}/`)
        .set(adminAuth())
        .send({ name: 'renamed-by-a-bad-request', [field]: value });
      expect(response.status).toBe(400);
      expect(Object.keys(response.body)).toEqual([field]);
      expect(response.body[field].join(' ')).toMatch(message);
      const after = (await server.db.query('SELECT * FROM user_login_stages WHERE stage_uuid = $1', [stagePk])).rows[0];
      expect(after).toEqual(before);
      const name = (await server.db.query('SELECT name FROM stages WHERE stage_uuid = $1', [stagePk])).rows[0].name;
      expect(name).toBe('default-authentication-login');
    });

    it('a new stage gets every default, and a create with bad values writes nothing', async () => {
      const created = await api().post(STAGES).set(adminAuth()).send({ name: 'options-defaults' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        binding_mode: 'enforce',
        on_missing_record: 'terminate',
        binding_exempt_cidrs: [],
        ipv6_prefix: 128,
        session_idle_timeout: 'seconds=0',
        max_sessions: 0,
        on_limit: 'evict_oldest',
      });
      const refused = await api()
        .post(STAGES)
        .set(adminAuth())
        .send({ name: 'options-bad', max_sessions: -2, binding_mode: 'x' });
      expect(refused.status).toBe(400);
      expect(Object.keys(refused.body).sort()).toEqual(['binding_mode', 'max_sessions']);
      expect((await server.db.query(`SELECT 1 FROM stages WHERE name = 'options-bad'`)).rowCount).toBe(0);
    });
  });

  describe('binding_mode', () => {
    it('enforce (default): a move to another AS ends the session', async () => {
      await configure({ network_binding: 'bind_asn' });
      const { browser, session } = await loginFrom(IP.home);
      expect((await from(browser, IP.away)).status).toBe(401);
      expect(await sessionRow(session.uuid)).toBeUndefined();
      expect(await events('logout')).toHaveLength(1);
      expect(await events('session_binding_violation')).toHaveLength(0);
    });

    it('log: the session survives, last_ip follows, one session_binding_violation event per violating move', async () => {
      await configure({ network_binding: 'bind_asn', binding_mode: 'log' });
      const { browser, session } = await loginFrom(IP.home);

      const moved = await from(browser, IP.away);
      expect(moved.status).toBe(200);
      expect((await sessionRow(session.uuid)).last_ip).toBe(IP.away);
      const [event] = await events('session_binding_violation');
      expect(event.app).toBe('idp.user_login');
      expect(event.client_ip).toBe(IP.away);
      expect(event.user).toMatchObject({ username: 'akadmin' });
      expect(event.context).toMatchObject({
        binding: { reason: 'network.asn', previous_value: 64500, new_value: 64501 },
        ip: { previous: IP.home, new: IP.away },
        asn: { asn: 64501, as_org: 'Away ISP', network: '203.0.113.0/24' },
        geo: { continent: 'NA', country: 'US', city: 'New York' },
        http_request: { method: 'GET', path: ME },
        session_uuid: session.uuid,
      });
      expect(event.context).not.toHaveProperty('logout_reason');
      expect(await events('logout')).toHaveLength(0);

      // staying is no new move; going back is one
      expect((await from(browser, IP.away)).status).toBe(200);
      expect(await events('session_binding_violation')).toHaveLength(1);
      expect((await from(browser, IP.home)).status).toBe(200);
      const all = await events('session_binding_violation');
      expect(all).toHaveLength(2);
      expect(all[1].context.ip).toEqual({ previous: IP.away, new: IP.home });
    });

    it('log: parallel requests from one new IP write one event', async () => {
      await configure({ network_binding: 'bind_asn', binding_mode: 'log' });
      const { browser } = await loginFrom(IP.home);
      browser.forwardedFor = IP.away;
      const responses = await Promise.all(Array.from({ length: 8 }, () => browser.get(ME)));
      expect(responses.map((r) => r.status)).toEqual(Array(8).fill(200));
      expect(await events('session_binding_violation')).toHaveLength(1);
    });
  });

  describe('on_missing_record', () => {
    it('terminate (default): an IP the ASN database does not know ends the session', async () => {
      await configure({ network_binding: 'bind_asn' });
      const { browser } = await loginFrom(IP.home);
      expect((await from(browser, IP.unknown)).status).toBe(401);
      expect((await events('logout'))[0].context.binding.reason).toBe('network.missing');
    });

    it('allow: the unknown IP is let through and the next request is compared with the last IP that had a record', async () => {
      await configure({ network_binding: 'bind_asn', geoip_binding: 'bind_continent', on_missing_record: 'allow' });
      const { browser, session } = await loginFrom(IP.home);
      expect((await from(browser, IP.unknown)).status).toBe(200);
      expect(await sessionRow(session.uuid)).toMatchObject({
        last_ip: IP.unknown,
        network_reference_ip: IP.home,
        geoip_reference_ip: IP.home,
      });
      // back home: no move at all, and the references are last_ip again
      expect((await from(browser, IP.home2)).status).toBe(200);
      expect(await sessionRow(session.uuid)).toMatchObject({
        last_ip: IP.home2,
        network_reference_ip: null,
        geoip_reference_ip: null,
      });
      // a hop through the unknown IP does not launder a real move
      expect((await from(browser, IP.unknown)).status).toBe(200);
      expect((await from(browser, IP.away)).status).toBe(401);
      const [logout] = await events('logout');
      expect(logout.context).toMatchObject({
        binding: { reason: 'network.asn' },
        ip: { previous: IP.home2, new: IP.away },
      });
    });
  });

  describe('binding_exempt_cidrs', () => {
    it('without it, the VPN exit (another AS, known from the overlay) ends the session', async () => {
      await configure({ network_binding: 'bind_asn' });
      const { browser } = await loginFrom(IP.home);
      expect((await from(browser, IP.vpn)).status).toBe(401);
      expect((await events('logout'))[0].context).toMatchObject({
        binding: { reason: 'network.asn', previous_value: 64500, new_value: 64501 },
        asn: { asn: 64501, as_org: 'Away ISP', network: '100.70.0.0/16' },
        geo: { city: 'New York' },
      });
    });

    it('a request from an exempt network is not checked, and a hop through it cannot launder a move', async () => {
      await configure({
        network_binding: 'bind_asn',
        geoip_binding: 'bind_continent',
        binding_exempt_cidrs: [VPN_NETWORK],
      });
      const { browser, session } = await loginFrom(IP.home);
      expect((await from(browser, IP.vpn)).status).toBe(200);
      expect(await sessionRow(session.uuid)).toMatchObject({
        last_ip: IP.vpn,
        network_reference_ip: IP.home,
        geoip_reference_ip: IP.home,
      });
      expect((await from(browser, IP.home)).status).toBe(200);
      expect((await from(browser, IP.vpn)).status).toBe(200);
      expect((await from(browser, IP.away)).status).toBe(401);
      const [logout] = await events('logout');
      expect(logout.context).toMatchObject({
        binding: { reason: 'network.asn' },
        ip: { previous: IP.home, new: IP.away },
      });
    });
  });

  describe('ipv6_prefix', () => {
    it('128 (default): another privacy address in the same /64 ends an IP-bound session', async () => {
      await configure({ network_binding: 'bind_asn_network_ip' });
      const { browser } = await loginFrom(IP.v6a);
      expect((await from(browser, IP.v6b)).status).toBe(401);
      expect((await events('logout'))[0].context.binding).toEqual({
        reason: 'network.ip',
        previous_value: IP.v6a,
        new_value: IP.v6b,
      });
    });

    it('64: the same /64 is the same IP; another /64 is not', async () => {
      await configure({ network_binding: 'bind_asn_network_ip', ipv6_prefix: 64 });
      const { browser, session } = await loginFrom(IP.v6a);
      expect((await from(browser, IP.v6b)).status).toBe(200);
      expect((await sessionRow(session.uuid)).last_ip).toBe(IP.v6b);
      expect((await from(browser, IP.v6other)).status).toBe(401);
      expect((await events('logout'))[0].context.binding.reason).toBe('network.ip');
    });
  });

  it('the sessions API shows each session’s binding levels, mode and idle expiry', async () => {
    await configure({ network_binding: 'bind_asn', geoip_binding: 'bind_continent', binding_mode: 'log' });
    const { browser } = await loginFrom(IP.home);
    const list = await browser.get('/api/v3/core/authenticated_sessions/');
    expect(list.status).toBe(200);
    expect(list.body.results[0]).toMatchObject({
      network_binding: 'bind_asn',
      geoip_binding: 'bind_continent',
      binding_mode: 'log',
      idle_expires: null,
    });
  });

  it('the OpenAPI document describes the stage options and the session fields that show them', async () => {
    const doc = buildOpenApiDocument(server.app);
    const schemas = doc.components!.schemas as unknown as Record<
      string,
      { properties: Record<string, { enum?: string[] }> }
    >;
    const stage = Object.values(schemas).find((schema) => schema.properties?.max_sessions);
    expect(Object.keys(stage!.properties)).toEqual(
      expect.arrayContaining([
        'binding_mode',
        'on_missing_record',
        'binding_exempt_cidrs',
        'ipv6_prefix',
        'session_idle_timeout',
        'max_sessions',
        'on_limit',
      ]),
    );
    const session = schemas.SessionResponse.properties;
    expect(Object.keys(session)).toEqual(
      expect.arrayContaining(['idle_expires', 'network_binding', 'geoip_binding', 'binding_mode']),
    );
    expect(session.binding_mode.enum).toEqual(['enforce', 'log']);
  });
});
