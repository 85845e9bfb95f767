import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MetricsServer } from '../apps/identity-server/src/operations/metrics/metrics.server.js';
import { IP, writeBindingDatabases } from './fixtures/session-binding-fixtures.js';
import { patchDefaultLoginStage } from './support/admin-api.js';
import { Browser, login } from './support/http.js';
import { TcpCutProxy } from './support/tcp-cut-proxy.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from './support/test-server.js';

const ME = '/api/v3/core/users/me/';

/** One sample's value from Prometheus text, or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('operations: readiness, metrics listener, request ids (Fastify, Postgres behind a cuttable proxy)', () => {
  let server: TestServer;
  let proxy: TcpCutProxy;
  let dir: string;
  let metricsUrl: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idp-operations-'));
    proxy = await TcpCutProxy.start(inject('databaseUrl'));
    server = await startTestServer({
      env: { ...writeBindingDatabases(dir), METRICS_PORT: '0' },
      appDatabaseUrl: proxy.url,
    });
    metricsUrl = `http://127.0.0.1:${server.app.get(MetricsServer).port}/metrics`;
  });
  afterAll(async () => {
    await server?.close();
    await proxy?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const metrics = async () => {
    const response = await fetch(metricsUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text();
  };

  it('ready: 200 naming Postgres and both GeoIP databases with their type and build date', async () => {
    const response = await request(server.http).get('/-/health/ready/');
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('ok');
    expect(response.body.info.postgres.status).toBe('up');
    expect(response.body.info.geoip_city).toMatchObject({ status: 'up', type: 'GeoLite2-City' });
    expect(response.body.info.geoip_asn).toMatchObject({ status: 'up', type: 'GeoLite2-ASN' });
    expect(response.body.info.geoip_asn.path).toMatch(/asn\.mmdb$/);
    expect(sample(await metrics(), 'readiness_status')).toBe(1);
  });

  it('Postgres unreachable: 503 naming postgres, the rest still up; ready again once it is back', async () => {
    proxy.cut('reset');
    try {
      const down = await request(server.http).get('/-/health/ready/');
      expect(down.status).toBe(503);
      expect(down.body.status).toBe('error');
      expect(Object.keys(down.body.error)).toEqual(['postgres']);
      expect(down.body.error.postgres.status).toBe('down');
      expect(down.body.info.geoip_city.status).toBe('up');
      expect(sample(await metrics(), 'readiness_status')).toBe(0);
      // Liveness does not depend on the database.
      expect((await request(server.http).get('/-/health/live/')).status).toBe(204);
    } finally {
      proxy.restore();
    }
    await expect.poll(async () => (await request(server.http).get('/-/health/ready/')).status).toBe(200);
    expect(sample(await metrics(), 'readiness_status')).toBe(1);
  });

  it('counts a login, the binding checks, a break by reason and the session it ended; the GeoIP build dates', async () => {
    const before = await metrics();
    await patchDefaultLoginStage(server, { network_binding: 'bind_asn', geoip_binding: 'no_binding' });
    const browser = new Browser(server.http);
    browser.forwardedFor = IP.netA1;
    expect((await login(browser, 'akadmin', ADMIN_PASSWORD)).body.component).toBe('xak-flow-redirect');
    expect((await browser.get(ME)).status).toBe(200); // same IP
    browser.forwardedFor = IP.netA1b;
    expect((await browser.get(ME)).status).toBe(200); // same AS: kept
    browser.forwardedFor = IP.netB;
    expect((await browser.get(ME)).status).toBe(401); // another AS: broken

    const after = await metrics();
    const grew = (series: string) => (sample(after, series) ?? 0) - (sample(before, series) ?? 0);
    expect(grew('logins_total{result="success"}')).toBe(1);
    expect(grew('session_binding_checks_total{result="same_ip"}')).toBeGreaterThanOrEqual(1);
    expect(grew('session_binding_checks_total{result="kept"}')).toBe(1);
    expect(grew('session_binding_checks_total{result="broken"}')).toBe(1);
    expect(grew('session_binding_breaks_total{reason="network.asn"}')).toBe(1);
    expect(grew('sessions_terminated_total{reason="binding_broken"}')).toBe(1);
    expect(grew('http_request_duration_seconds_count{method="GET",route="/api/v3/core/users/me",status="401"}')).toBe(
      1,
    );
    expect(
      grew('http_request_duration_seconds_count{method="GET",route="/api/v3/core/users/me",status="200"}'),
    ).toBeGreaterThanOrEqual(2);
    expect(sample(after, 'geoip_database_build_epoch_seconds{database="asn",type="GeoLite2-ASN"}')).toBeGreaterThan(
      1_500_000_000,
    );
    expect(sample(after, 'geoip_database_build_epoch_seconds{database="city",type="GeoLite2-City"}')).toBeGreaterThan(
      1_500_000_000,
    );
    expect(after).toContain('# TYPE process_cpu_seconds_total counter');
  });

  it('a wrong password counts as a failed login', async () => {
    const before = sample(await metrics(), 'logins_total{result="failed"}') ?? 0;
    const browser = new Browser(server.http);
    const answer = await login(browser, 'akadmin', 'not-the-password');
    expect(answer.body.component).toBe('ak-stage-password');
    expect(sample(await metrics(), 'logins_total{result="failed"}')).toBe(before + 1);
  });

  it('unmatched paths are one label, not one per path', async () => {
    await request(server.http).get('/no/such/page/12345');
    const text = await metrics();
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="unmatched",status="404"\} \d+/);
    expect(text).not.toContain('12345');
  });

  it('the metrics are on their own listener only: /metrics on the public port is a 404', async () => {
    expect((await request(server.http).get('/metrics')).status).toBe(404);
    expect((await fetch(metricsUrl.replace('/metrics', '/other'))).status).toBe(404);
  });

  it('X-Request-Id: a trusted proxy’s id is kept and echoed; a malformed one is replaced by a UUID', async () => {
    const kept = await request(server.http).get('/-/health/live/').set('X-Request-Id', 'lb-7f3a.42');
    expect(kept.headers['x-request-id']).toBe('lb-7f3a.42');
    const replaced = await request(server.http).get('/-/health/live/').set('X-Request-Id', 'two words');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const fresh = await request(server.http).get('/-/health/live/');
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
