import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBindingDatabases } from './fixtures/session-binding-fixtures.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './support/test-server.js';

const STAGES = '/api/v3/stages/user_login/';

const api = (server: TestServer, method: 'post' | 'put' | 'patch', path: string, body: object) =>
  request(server.http)[method](path).set('Authorization', `Bearer ${ADMIN_TOKEN}`).send(body);

/** Everything a refused request must leave alone: the stages, their settings and the audit log. */
const snapshot = async (server: TestServer) => ({
  stages: (
    await server.db.query(
      `SELECT s.name, l.* FROM stages s JOIN user_login_stages l USING (stage_uuid) ORDER BY s.name`,
    )
  ).rows,
  events: (await server.db.query(`SELECT count(*)::int AS n FROM events WHERE action LIKE 'model_%'`)).rows[0].n,
});

const loginStage = async (server: TestServer) =>
  (await server.db.query(`SELECT stage_uuid FROM stages WHERE name = 'default-authentication-login'`)).rows[0]
    .stage_uuid as string;

describe('a binding needs its database: the stage API refuses it with the variable to set, and writes nothing', () => {
  let bare: TestServer;
  let asnOnly: TestServer;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idp-binding-config-'));
    const { GEOIP_ASN_DB } = writeBindingDatabases(dir);
    [bare, asnOnly] = await Promise.all([startTestServer(), startTestServer({ env: { GEOIP_ASN_DB } })]);
  });
  afterAll(async () => {
    await bare?.close();
    await asnOnly?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('without any database: every network and GeoIP level is refused on create, replace and partial update', async () => {
    const pk = await loginStage(bare);
    const before = await snapshot(bare);
    const attempts: Array<['post' | 'put' | 'patch', string, Record<string, unknown>, string, string]> = [];
    for (const level of ['bind_asn', 'bind_asn_network', 'bind_asn_network_ip']) {
      attempts.push([
        'post',
        STAGES,
        { name: `bound-${level}`, network_binding: level },
        'network_binding',
        'GEOIP_ASN_DB',
      ]);
      attempts.push([
        'patch',
        `${STAGES}${pk}/`,
        { name: 'renamed', network_binding: level },
        'network_binding',
        'GEOIP_ASN_DB',
      ]);
    }
    for (const level of ['bind_continent', 'bind_continent_country', 'bind_continent_country_city']) {
      attempts.push([
        'post',
        STAGES,
        { name: `bound-${level}`, geoip_binding: level },
        'geoip_binding',
        'GEOIP_CITY_DB',
      ]);
      attempts.push([
        'put',
        `${STAGES}${pk}/`,
        { name: 'default-authentication-login', geoip_binding: level },
        'geoip_binding',
        'GEOIP_CITY_DB',
      ]);
    }
    for (const [method, path, body, field, variable] of attempts) {
      const response = await api(bare, method, path, body);
      const what = `${method} ${JSON.stringify(body)}`;
      expect(response.status, what).toBe(400);
      expect(response.body[field], what).toHaveLength(1);
      expect(response.body[field][0], what).toContain(variable);
    }
    expect(await snapshot(bare)).toEqual(before);
  });

  it('without any database: no_binding is still accepted', async () => {
    const pk = await loginStage(bare);
    const response = await api(bare, 'patch', `${STAGES}${pk}/`, {
      network_binding: 'no_binding',
      geoip_binding: 'no_binding',
      session_duration: 'hours=2',
    });
    expect(response.status).toBe(200);
    const row = (await bare.db.query('SELECT session_duration FROM user_login_stages WHERE stage_uuid = $1', [pk]))
      .rows[0];
    expect(row.session_duration).toBe('hours=2');
  });

  it('with only an ASN database: network levels are stored, GeoIP levels refused naming GEOIP_CITY_DB', async () => {
    const pk = await loginStage(asnOnly);
    const ok = await api(asnOnly, 'patch', `${STAGES}${pk}/`, { network_binding: 'bind_asn_network_ip' });
    expect(ok.status).toBe(200);
    expect(ok.body.network_binding).toBe('bind_asn_network_ip');

    const before = await snapshot(asnOnly);
    const refused = await api(asnOnly, 'patch', `${STAGES}${pk}/`, {
      network_binding: 'bind_asn',
      geoip_binding: 'bind_continent',
    });
    expect(refused.status).toBe(400);
    expect(Object.keys(refused.body)).toEqual(['geoip_binding']);
    expect(refused.body.geoip_binding[0]).toContain('GEOIP_CITY_DB');
    const created = await api(asnOnly, 'post', STAGES, {
      name: 'geo-login',
      network_binding: 'bind_asn',
      geoip_binding: 'bind_continent_country',
    });
    expect(created.status).toBe(400);
    expect(created.body.geoip_binding[0]).toContain('GEOIP_CITY_DB');
    expect(await snapshot(asnOnly)).toEqual(before);
    expect(before.stages.find((s: { name: string }) => s.name === 'default-authentication-login').network_binding).toBe(
      'bind_asn_network_ip',
    );
  });
});
