import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, bench, describe } from 'vitest';
import { asnRecord, cityRecord, writeAsnDb, writeCityDb } from '../test/fixtures/geoip-fixtures.js';
import { benchLogin, startBenchServer, type BenchServer } from './support/bench-server.js';

// The session check runs on every authenticated request. These groups put it next to a route
// that does no work, on each adapter, so the printed ratios show what the check costs.
// Requests are sequential over keep-alive HTTP on loopback (latency, not peak throughput).

const dir = mkdtempSync(join(tmpdir(), 'idp-bench-geo-'));
const env = {
  GEOIP_ASN_DB: writeAsnDb(join(dir, 'asn.mmdb'), [['198.51.100.0/24', asnRecord(64500, 'Bench Net')]]),
  GEOIP_CITY_DB: writeCityDb(join(dir, 'city.mmdb'), [['198.51.100.0/24', cityRecord({ continent: 'EU', country: 'DE', city: 'Berlin' })]]),
};

async function prepare(adapter: 'fastify' | 'express') {
  const server = await startBenchServer(adapter, env);
  const cookie = await benchLogin(server.baseUrl, 'akadmin', 'bench-password-1');
  // A bound session whose requests alternate between two IPs of one AS: each is a
  // different-IP pass (two GeoIP lookups, binding rules, one UPDATE of last_ip).
  await server.db.query(`UPDATE user_login_stages SET network_binding = 'bind_asn', geoip_binding = 'bind_continent_country_city'`);
  const boundCookie = await benchLogin(server.baseUrl, 'akadmin', 'bench-password-1', { 'x-forwarded-for': '198.51.100.1' });
  return { server, cookie, boundCookie };
}

// Bench mode does not await hooks before measuring, so the servers start at module load.
const prepared = { fastify: await prepare('fastify'), express: await prepare('express') };

for (const adapter of ['fastify', 'express'] as const) {
  describe(`${adapter}: per-request session check`, () => {
    const { server, cookie, boundCookie }: { server: BenchServer; cookie: string; boundCookie: string } = prepared[adapter];
    let flip = false;
    afterAll(() => server.close());

    bench('no session check (health route)', async () => {
      const response = await fetch(`${server.baseUrl}/-/health/live/`);
      if (response.status !== 204) throw new Error(String(response.status));
    });

    bench('session check, same IP (users/me)', async () => {
      const response = await fetch(`${server.baseUrl}/api/v3/core/users/me/`, { headers: { cookie } });
      if (response.status !== 200) throw new Error(String(response.status));
      await response.arrayBuffer();
    });

    bench('session check, new IP in the same AS/city (binding pass + UPDATE)', async () => {
      flip = !flip;
      const response = await fetch(`${server.baseUrl}/api/v3/core/users/me/`, {
        headers: { cookie: boundCookie, 'x-forwarded-for': flip ? '198.51.100.2' : '198.51.100.1' },
      });
      if (response.status !== 200) throw new Error(String(response.status));
      await response.arrayBuffer();
    });

    bench('no cookie (401, no query)', async () => {
      const response = await fetch(`${server.baseUrl}/api/v3/core/users/me/`);
      if (response.status !== 401) throw new Error(String(response.status));
      await response.arrayBuffer();
    });
  });
}
