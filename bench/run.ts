// `npm run bench`: the server as users run it, measured from outside. Builds (npm script), starts
// the production identity server, an Express build of it, and the express-session baseline app as
// separate processes on one PostgreSQL, then drives each with autocannon from this process over
// loopback in alternating rounds. Prints a table and writes bench/results/<mode>-<time>.json.
//
//   npm run bench                 3 rounds of 5 s per row (about 4 minutes)
//   npm run bench -- --quick      2 rounds of 2 s (about 2 minutes)
//   npm run bench -- --scale      also 1,000,000 sessions + 5,000,000 events (see scale.ts)
//   --rounds N --duration S --connections C override the mode's figures
//   --only a,b,c                  only these rows (ids as in the JSON), e.g. same_ip,moving_ip
//   --sessions N --events N       table sizes of --scale (to try the mode out on smaller tables)
import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openBenchDatabase } from './support/bench-database.js';
import { baselineLogin, flowLogin } from './support/bench-login.js';
import { benchIp, movingIpHeaders, writeBenchGeoIp } from './support/geoip-files.js';
import { runLoad, type LoadOptions, type LoadResult } from './support/load.js';
import { formatTable, summarise, type Row } from './support/report.js';
import { runScale } from './scale.js';
import { startServerProcess, type ServerProcess } from './support/server-process.js';
import { isLocalProcess } from './support/cpu-time.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const quick = flag('quick');
const settings = {
  mode: flag('scale') ? 'scale' : args.includes('--only') ? 'partial' : quick ? 'quick' : 'standard',
  rounds: option('rounds', quick ? 2 : 3),
  durationSeconds: option('duration', quick ? 2 : 5),
  connections: option('connections', 20),
  warmupSeconds: quick ? 1 : 2,
  only: args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : undefined,
};
const PASSWORD = 'bench-password-1';
const TOKEN = 'bench-admin-token-0123456789abcdef';
const LOGIN_USERS = 200;

/** One row of the table: how to send its requests. */
interface Scenario {
  id: string;
  label: string;
  unit?: string;
  /** The process that answers, whose CPU time per request is reported. */
  server: ServerProcess;
  load: Omit<LoadOptions, 'connections' | 'durationSeconds' | 'cpu'>;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'idp-bench-'));
  const geo = writeBenchGeoIp(work);
  const database = await openBenchDatabase();
  const servers: ServerProcess[] = [];
  const started = new Date();
  const loadBefore = loadavg();
  try {
    console.log(
      `bench: ${settings.mode} mode, ${settings.rounds} rounds x ${settings.durationSeconds} s per row, ` +
        `${settings.connections} connections; ${database.describe}; logs in ${work}`,
    );
    const env = {
      DATABASE_URL: database.url,
      GEOIP_ASN_DB: geo.asn,
      GEOIP_CITY_DB: geo.city,
      BOOTSTRAP_PASSWORD: PASSWORD,
      BOOTSTRAP_TOKEN: TOKEN,
      NODE_ENV: 'production',
      // Several servers run at once: no metrics listeners competing for one port, no request logs.
      METRICS_PORT: 'off',
      LOG_LEVEL: 'warn',
    };
    const start = (
      name: string,
      script: string,
      port: number,
      extra: Record<string, string> = {},
      ready = '/-/health/live/',
    ) =>
      startServerProcess({
        name,
        script,
        port,
        env: { ...env, ...extra },
        logFile: join(work, `${name}.log`),
        readyPath: ready,
      }).then((server) => (servers.push(server), server));
    // The first server runs the migrations and creates akadmin; the others start after it.
    const fastify = await start('identity-fastify', join(repo, 'dist/apps/identity-server/src/main.js'), 19101);
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    await db.query(
      `UPDATE user_login_stages SET network_binding = 'bind_asn_network', geoip_binding = 'bind_continent_country'`,
    );
    await db.query(
      `INSERT INTO users (username, email) SELECT 'bench_' || i, 'bench_' || i || '@example.test' FROM generate_series(0, $1 - 1) i`,
      [LOGIN_USERS],
    );
    const [express, loginHost, baseline] = await Promise.all([
      start('identity-express', join(repo, 'dist/bench/servers/identity-server.js'), 19102, {
        BENCH_ADAPTER: 'express',
      }),
      start('identity-login', join(repo, 'dist/bench/servers/identity-server.js'), 19103, {
        BENCH_LOGIN_ROUTE: '1',
        SESSION_CACHE: 'off',
      }),
      start('baseline', join(repo, 'dist/bench/baseline/baseline-app.js'), 19104, {}, '/health'),
    ]);
    const sameIp = benchIp(1);
    const xff = { 'x-forwarded-for': sameIp };
    const cookieFastify = await flowLogin(fastify.baseUrl, 'akadmin', PASSWORD, xff);
    const cookieMoving = await flowLogin(fastify.baseUrl, 'akadmin', PASSWORD, xff);
    const cookieExpress = await flowLogin(express.baseUrl, 'akadmin', PASSWORD, xff);
    const cookieUncached = await flowLogin(loginHost.baseUrl, 'akadmin', PASSWORD, xff);
    const cookieBaseline = await baselineLogin(baseline.baseUrl);
    let nextUser = 0;
    const me = '/api/v3/core/users/me/';
    const allScenarios: Scenario[] = [
      {
        id: 'ceiling',
        server: fastify,
        label: 'ceiling: unauthenticated route, same server (Fastify)',
        load: { url: `${fastify.baseUrl}/-/health/live/`, expectStatus: 204 },
      },
      {
        // The control of the moving-IP row: the same varying requests against the ceiling route
        // show what they cost the client (about nothing, as they are built before the clock starts).
        id: 'ceiling_moving',
        server: fastify,
        label: 'ceiling, requests of the moving-IP row (client-side control)',
        load: {
          url: `${fastify.baseUrl}/-/health/live/`,
          headersPerConnection: movingIpHeaders,
          expectStatus: 204,
        },
      },
      {
        id: 'express_ceiling',
        server: express,
        label: 'unauthenticated route, Express build',
        load: { url: `${express.baseUrl}/-/health/live/`, expectStatus: 204 },
      },
      {
        id: 'baseline',
        server: baseline,
        label: 'baseline: express-session + connect-pg-simple (Express)',
        load: { url: `${baseline.baseUrl}/me`, headers: { cookie: cookieBaseline }, expectStatus: 200 },
      },
      {
        id: 'same_ip',
        server: fastify,
        label: 'ours, same IP (Fastify)',
        load: { url: `${fastify.baseUrl}${me}`, headers: { cookie: cookieFastify, ...xff }, expectStatus: 200 },
      },
      {
        id: 'same_ip_nocache',
        server: loginHost,
        label: 'ours, same IP, SESSION_CACHE=off: one SELECT per request (Fastify)',
        load: {
          url: `${loginHost.baseUrl}${me}`,
          headers: { cookie: cookieUncached, ...xff },
          expectStatus: 200,
        },
      },
      {
        id: 'moving_ip',
        server: fastify,
        label: 'ours, moving IP: every request another address of the network (Fastify)',
        load: {
          url: `${fastify.baseUrl}${me}`,
          headers: { cookie: cookieMoving },
          headersPerConnection: movingIpHeaders,
          expectStatus: 200,
        },
      },
      {
        id: 'same_ip_express',
        server: express,
        label: 'ours, same IP (Express)',
        load: { url: `${express.baseUrl}${me}`, headers: { cookie: cookieExpress, ...xff }, expectStatus: 200 },
      },
      {
        id: 'login',
        server: loginHost,
        label: 'login: User Login stage alone, terminate_other_sessions on (Fastify)',
        unit: 'logins/s',
        load: {
          url: `${loginHost.baseUrl}/bench/login/`,
          method: 'POST',
          headers: xff,
          setupRequest: (request) => void (request.path = `/bench/login/?user=bench_${nextUser++ % LOGIN_USERS}`),
          expectStatus: 204,
        },
      },
      {
        id: 'baseline_login',
        server: baseline,
        label: 'baseline login: express-session regenerate + save',
        unit: 'logins/s',
        load: {
          url: `${baseline.baseUrl}/login`,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"pk":2,"username":"bench"}',
          expectStatus: 204,
        },
      },
    ];
    // The database's CPU per request: every backend serving the benchmark's database, on this machine.
    const databasePids = async () =>
      (
        await db.query<{ pid: number }>(
          'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
        )
      ).rows
        .map((row) => row.pid)
        .filter((pid) => isLocalProcess(pid, 'postgres'));
    const cpuOf = (scenario: Scenario) => ({ server: [scenario.server.child.pid!], database: databasePids });
    const scenarios = allScenarios.filter((s) => !settings.only || settings.only.includes(s.id));
    const results = new Map<string, LoadResult[]>(scenarios.map((s) => [s.id, []]));
    for (const scenario of scenarios) {
      await runLoad({ ...scenario.load, connections: settings.connections, durationSeconds: settings.warmupSeconds });
    }
    for (let round = 0; round < settings.rounds; round++) {
      // Alternate the order (A B C ... then ... C B A) so drift on a busy machine hits every row alike.
      const order = round % 2 === 0 ? scenarios : scenarios.toReversed();
      for (const scenario of order) {
        const result = await runLoad({
          ...scenario.load,
          connections: settings.connections,
          durationSeconds: settings.durationSeconds,
          cpu: cpuOf(scenario),
        });
        results.get(scenario.id)!.push(result);
        console.log(
          `  round ${round + 1}: ${scenario.id.padEnd(16)} ${Math.round(result.requestsPerSecond).toString().padStart(7)} req/s  p50 ${result.p50Ms} ms  p99 ${result.p99Ms} ms  CPU/request: server ${us(result.cpuPerRequestUs?.server)} db ${us(result.cpuPerRequestUs?.database)} client ${us(result.cpuPerRequestUs?.client)}${result.failures ? `  FAILURES ${result.failures}` : ''}`,
        );
      }
    }
    const rows: Row[] = scenarios.map((s) => ({
      id: s.id,
      label: s.label,
      unit: s.unit ?? 'req/s',
      ...summarise(results.get(s.id)!),
    }));
    const scale =
      settings.mode === 'scale'
        ? await runScale({
            db,
            ourUrl: `${fastify.baseUrl}${me}`,
            ceilingUrl: `${fastify.baseUrl}/-/health/live/`,
            loginHostUrl: loginHost.baseUrl,
            cookie: cookieFastify,
            uncachedCookie: cookieUncached,
            cpu: { server: [fastify.child.pid!], uncachedServer: [loginHost.child.pid!], database: databasePids },
            headers: xff,
            connections: settings.connections,
            durationSeconds: settings.durationSeconds,
            rounds: settings.rounds,
            small: rows,
            sessions: option('sessions', 1_000_000),
            events: option('events', 5_000_000),
          })
        : undefined;
    await db.end();
    const report = formatTable(rows);
    console.log(`\n${report.table}\n\n${report.ratios}`);
    if (scale) console.log(`\n${scale.text}`);
    const loadAfter = loadavg();
    mkdirSync(join(repo, 'bench/results'), { recursive: true });
    const file = join(repo, 'bench/results', `${settings.mode}-${started.toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(
      file,
      `${JSON.stringify(
        {
          started: started.toISOString(),
          settings,
          machine: {
            cpus: cpus().length,
            model: cpus()[0]?.model,
            node: process.version,
            loadavgBefore: loadBefore,
            loadavgAfter: loadAfter,
          },
          commit: safe(() => execSync('git rev-parse --short HEAD', { cwd: repo }).toString().trim()),
          database: database.describe,
          rows: rows.map((row) => ({ ...row, rounds: results.get(row.id) })),
          ratios: report.ratioValues,
          ratiosByCpuPerRequest: report.cpuRatioValues,
          scale: scale?.json,
        },
        null,
        2,
      )}\n`,
    );
    console.log(
      `\nload average before ${loadBefore.map((v) => v.toFixed(2)).join(' ')}, after ${loadAfter.map((v) => v.toFixed(2)).join(' ')}; results in ${file}`,
    );
    if (rows.some((row) => row.failures > 0)) process.exitCode = 1;
  } finally {
    for (const server of servers.toReversed()) await server.stop();
    await database.stop();
  }
}

function us(value: number | null | undefined): string {
  return value == null ? '-' : `${Math.round(value)} µs`;
}

function safe(read: () => string): string | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
