import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, bench, describe } from 'vitest';
import { asnRecord, cityRecord, writeAsnDb, writeCityDb } from '../../test/fixtures/geoip-fixtures.js';
import { flowLogin } from '../support/bench-login.js';
import { startBenchServer, type BenchServer } from './support/bench-server.js';

// The session check runs on every authenticated request. These groups put it next to a route
// that does no work, on each adapter, so the printed ratios show what the check costs.
// Each bench iteration sends a batch of BATCH concurrent requests over keep-alive HTTP on
// loopback, so hz x BATCH is requests per second with the connection pool and event loop busy.
const BATCH = 16;
const OPTIONS = { time: 4000, warmupTime: 500 };

async function batch(send: () => Promise<Response>, expected: number): Promise<void> {
  const responses = await Promise.all(Array.from({ length: BATCH }, send));
  for (const response of responses) {
    if (response.status !== expected) throw new Error(`expected ${expected}, got ${response.status}`);
    await response.arrayBuffer();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'idp-bench-geo-'));
const env = {
  GEOIP_ASN_DB: writeAsnDb(join(dir, 'asn.mmdb'), [['198.51.100.0/24', asnRecord(64500, 'Bench Net')]]),
  GEOIP_CITY_DB: writeCityDb(join(dir, 'city.mmdb'), [
    ['198.51.100.0/24', cityRecord({ continent: 'EU', country: 'DE', city: 'Berlin' })],
  ]),
};

async function prepare(adapter: 'fastify' | 'express') {
  const server = await startBenchServer(adapter, env);
  const cookie = await flowLogin(server.baseUrl, 'akadmin', 'bench-password-1');
  // A bound session whose requests alternate between two IPs of one AS: each is a
  // different-IP pass (two GeoIP lookups, binding rules, one UPDATE of last_ip).
  await server.db.query(
    `UPDATE user_login_stages SET network_binding = 'bind_asn', geoip_binding = 'bind_continent_country_city'`,
  );
  const boundCookie = await flowLogin(server.baseUrl, 'akadmin', 'bench-password-1', {
    'x-forwarded-for': '198.51.100.1',
  });
  return { server, cookie, boundCookie };
}

// Bench mode does not await hooks before measuring, so the servers start at module load.
const prepared = { fastify: await prepare('fastify'), express: await prepare('express') };

for (const adapter of ['fastify', 'express'] as const) {
  describe(`${adapter}: per-request session check`, () => {
    const { server, cookie, boundCookie }: { server: BenchServer; cookie: string; boundCookie: string } =
      prepared[adapter];
    let flip = false;
    afterAll(() => server.close());

    bench(
      'no session check (health route)',
      () => batch(() => fetch(`${server.baseUrl}/-/health/live/`), 204),
      OPTIONS,
    );

    bench(
      'session check, same IP (users/me)',
      () => batch(() => fetch(`${server.baseUrl}/api/v3/core/users/me/`, { headers: { cookie } }), 200),
      OPTIONS,
    );

    bench(
      'session check, new IP in the same AS/city (binding pass + UPDATE)',
      () => {
        flip = !flip;
        const headers = { cookie: boundCookie, 'x-forwarded-for': flip ? '198.51.100.2' : '198.51.100.1' };
        return batch(() => fetch(`${server.baseUrl}/api/v3/core/users/me/`, { headers }), 200);
      },
      OPTIONS,
    );

    bench(
      'no cookie (401, no query)',
      () => batch(() => fetch(`${server.baseUrl}/api/v3/core/users/me/`), 401),
      OPTIONS,
    );
  });
}
