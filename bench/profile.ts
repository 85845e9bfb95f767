// `npm run bench:profile -- <row> [--seconds S] [--connections C] [--adapter express]`: one row of
// `npm run bench` under a CPU profiler. Starts the production server (or the Express build) with
// `node --cpu-prof` on a fresh database, drives the row with autocannon from this process for S
// seconds after a warm-up, stops the server (which writes the profile), and prints where the
// server's CPU went: the top functions by self time, and the time by area (our code, Nest,
// Fastify/Express, pg, TypeORM, Node internals, GC, idle).
//
//   rows: ceiling | same_ip | moving_ip      (Fastify, or --adapter express)
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openBenchDatabase } from './support/bench-database.js';
import { flowLogin } from './support/bench-login.js';
import { benchIp, movingIpHeaders, writeBenchGeoIp } from './support/geoip-files.js';
import { runLoad, type LoadOptions } from './support/load.js';
import { summariseProfile, type CpuProfile } from './support/cpu-profile.js';
import { startServerProcess } from './support/server-process.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const row = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? 'same_ip';
const seconds = Number(option('seconds', '10'));
const connections = Number(option('connections', '20'));
const adapter = option('adapter', 'fastify');
const PASSWORD = 'bench-password-1';

async function main(): Promise<void> {
  if (!['ceiling', 'same_ip', 'moving_ip'].includes(row)) throw new Error(`unknown row ${row}`);
  const work = mkdtempSync(join(tmpdir(), 'idp-profile-'));
  const geo = writeBenchGeoIp(work);
  const database = await openBenchDatabase();
  const profileDir = join(work, 'profile');
  const script =
    adapter === 'express'
      ? join(repo, 'dist/bench/servers/identity-server.js')
      : join(repo, 'dist/apps/identity-server/src/main.js');
  const server = await startServerProcess({
    name: 'profiled',
    script,
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
    port: 19111,
    env: {
      DATABASE_URL: database.url,
      GEOIP_ASN_DB: geo.asn,
      GEOIP_CITY_DB: geo.city,
      BOOTSTRAP_PASSWORD: PASSWORD,
      NODE_ENV: 'production',
      METRICS_PORT: 'off',
      LOG_LEVEL: 'warn',
      ...(adapter === 'express' ? { BENCH_ADAPTER: 'express' } : {}),
    },
    logFile: join(work, 'server.log'),
    readyPath: '/-/health/live/',
  });
  const window: { fromUs?: number; toUs?: number } = {};
  try {
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    await db.query(
      `UPDATE user_login_stages SET network_binding = 'bind_asn_network', geoip_binding = 'bind_continent_country'`,
    );
    await db.end();
    const xff = { 'x-forwarded-for': benchIp(1) };
    const cookie = await flowLogin(server.baseUrl, 'akadmin', PASSWORD, xff);
    const me = `${server.baseUrl}/api/v3/core/users/me/`;
    const load: Omit<LoadOptions, 'connections' | 'durationSeconds'> =
      row === 'ceiling'
        ? { url: `${server.baseUrl}/-/health/live/`, expectStatus: 204 }
        : row === 'same_ip'
          ? { url: me, headers: { cookie, ...xff }, expectStatus: 200 }
          : {
              url: me,
              headers: { cookie },
              headersPerConnection: movingIpHeaders,
              expectStatus: 200,
            };
    await runLoad({ ...load, connections, durationSeconds: 2 });
    window.fromUs = Number(process.hrtime.bigint() / 1000n);
    const result = await runLoad({ ...load, connections, durationSeconds: seconds });
    window.toUs = Number(process.hrtime.bigint() / 1000n);
    console.log(
      `profile: ${row} on ${adapter}, ${Math.round(result.requestsPerSecond)} req/s, p50 ${result.p50Ms} ms, ` +
        `p99 ${result.p99Ms} ms, failures ${result.failures}`,
    );
  } finally {
    await server.stop();
    await database.stop();
  }
  const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile written in ${profileDir}`);
  const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile;
  console.log(summariseProfile(profile, { repo, top: Number(option('top', '25')), ...window }));
  console.log(`\nprofile file: ${join(profileDir, file)} (open in Chrome DevTools, Performance tab)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
