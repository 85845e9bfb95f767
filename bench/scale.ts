// `npm run bench -- --scale`: the same server with 1,000,000 sessions and 5,000,000 events in
// its tables. Reports the same-IP ratio again, terminate_other_sessions for a user with 10,000
// sessions, one housekeeping run's rows per second, and EXPLAIN ANALYZE of every hot query.
import type pg from 'pg';
import { runLoad, type LoadResult } from './support/load.js';
import { summarise } from './support/report.js';

/** What the scale mode needs from the main run. */
export interface ScaleInput {
  db: pg.Client;
  ourUrl: string;
  ceilingUrl: string;
  loginHostUrl: string;
  cookie: string;
  headers: Record<string, string>;
  connections: number;
  durationSeconds: number;
  rounds: number;
  /** same IP / ceiling from the small-table rounds of this run. */
  smallRatio: number;
}

const SESSIONS = 1_000_000;
const EVENTS = 5_000_000;
const HEAVY_USER_SESSIONS = 10_000;
// Rows already expired, for the housekeeping run to find.
const EXPIRED_SESSIONS = 100_000;
const EXPIRED_EVENTS = 500_000;

export async function runScale(input: ScaleInput): Promise<{ text: string; json: unknown }> {
  const { db } = input;
  const timings: Record<string, number> = {};
  const timed = async (name: string, work: () => Promise<unknown>) => {
    const started = performance.now();
    await work();
    timings[name] = Math.round(performance.now() - started);
    console.log(`  scale: ${name} ${timings[name]} ms`);
  };
  await timed('seed users', () =>
    db.query(`INSERT INTO users (username, email)
      SELECT 'scale_' || i, 'scale_' || i || '@example.test' FROM generate_series(1, 100000) i`),
  );
  // The sessions of 100,000 users plus one user with 10,000; live ones expire in a day.
  await timed('seed sessions', () =>
    db.query(
      `INSERT INTO sessions (token_hash, user_pk, created, expires, browser_session, last_ip, last_user_agent,
                            last_used, network_binding, geoip_binding)
       SELECT encode(sha256(('scale-' || i)::bytea), 'hex'),
              (SELECT pk FROM users WHERE username = 'scale_' || (1 + i % 100000)),
              now() - interval '1 hour', now() + CASE WHEN i <= $2 THEN interval '-1 minute' ELSE interval '1 day' END,
              false, '198.18.' || (i % 256) || '.' || (1 + i % 250), 'Mozilla/5.0 (X11; Linux x86_64) bench',
              now() - interval '1 minute', 'bind_asn_network', 'bind_continent_country'
         FROM generate_series(1, $1) i`,
      [SESSIONS - HEAVY_USER_SESSIONS, EXPIRED_SESSIONS],
    ),
  );
  await timed('seed the heavy user', async () => {
    await db.query(`INSERT INTO users (username, email) VALUES ('scale_heavy', 'heavy@example.test')`);
    await db.query(
      `INSERT INTO sessions (token_hash, user_pk, created, expires, browser_session, last_ip, last_used)
       SELECT encode(sha256(('heavy-' || i)::bytea), 'hex'), (SELECT pk FROM users WHERE username = 'scale_heavy'),
              now(), now() + interval '1 day', false, '198.18.0.9', now()
         FROM generate_series(1, $1) i`,
      [HEAVY_USER_SESSIONS],
    );
  });
  await timed('seed events', () =>
    db.query(
      `INSERT INTO events (action, app, "user", context, client_ip, created, expires)
       SELECT CASE WHEN i % 3 = 0 THEN 'logout' ELSE 'login' END, 'idp.user_login',
              jsonb_build_object('pk', 1 + i % 100000, 'username', 'scale_' || (1 + i % 100000), 'email', ''),
              jsonb_build_object('http_request', jsonb_build_object('path', '/api/v3/flows/executor/default-authentication-flow/',
                                 'method', 'POST', 'user_agent', 'Mozilla/5.0 bench'),
                                 'asn', jsonb_build_object('asn', 64500, 'as_org', 'Bench Net', 'network', '198.18.0.0/15'),
                                 'geo', jsonb_build_object('continent', 'EU', 'country', 'DE', 'city', 'Berlin')),
              '198.18.' || (i % 256) || '.' || (1 + i % 250),
              now() - (i % 1000) * interval '1 minute',
              now() + CASE WHEN i <= $2 THEN interval '-1 minute' ELSE interval '365 days' END
         FROM generate_series(1, $1) i`,
      [EVENTS, EXPIRED_EVENTS],
    ),
  );
  await timed('vacuum analyze', () => db.query('VACUUM ANALYZE'));

  // Same rows as the small-table run, alternating so both see the same machine.
  const results = { ceiling: [] as LoadResult[], same_ip: [] as LoadResult[] };
  const load = (url: string, headers: Record<string, string>, expectStatus: number) =>
    runLoad({ url, headers, expectStatus, connections: input.connections, durationSeconds: input.durationSeconds });
  await load(input.ourUrl, { cookie: input.cookie, ...input.headers }, 200);
  for (let round = 0; round < input.rounds; round++) {
    results.ceiling.push(await load(input.ceilingUrl, {}, 204));
    results.same_ip.push(await load(input.ourUrl, { cookie: input.cookie, ...input.headers }, 200));
  }
  const ceiling = summarise(results.ceiling);
  const sameIp = summarise(results.same_ip);
  const bigRatio = sameIp.requestsPerSecond / ceiling.requestsPerSecond;

  // One login of the heavy user through the stage, terminate_other_sessions on: 10,000 deletions.
  let terminateMs = 0;
  {
    const started = performance.now();
    const response = await fetch(`${input.loginHostUrl}/bench/login/?user=scale_heavy`, {
      method: 'POST',
      headers: input.headers,
    });
    terminateMs = performance.now() - started;
    if (response.status !== 204) throw new Error(`heavy login answered ${response.status}`);
  }
  const left = (
    await db.query(
      `SELECT count(*)::int AS n FROM sessions s JOIN users u ON u.pk = s.user_pk WHERE username = 'scale_heavy'`,
    )
  ).rows[0].n as number;

  const housekeeping = (await (
    await fetch(`${input.loginHostUrl}/bench/housekeeping/`, { method: 'POST' })
  ).json()) as { sessions: number; events: number; flowExecutions: number; ms: number };
  const housekeepingRows = housekeeping.sessions + housekeeping.events + housekeeping.flowExecutions;

  const explains = await explainHotQueries(db);
  const text = [
    `scale: ${SESSIONS.toLocaleString('en-US')} sessions, ${EVENTS.toLocaleString('en-US')} events (seeding ${Object.entries(
      timings,
    )
      .map(([k, v]) => `${k} ${v} ms`)
      .join(', ')})`,
    `| what | value |`,
    `|---|---|`,
    `| ceiling (big tables) | ${Math.round(ceiling.requestsPerSecond).toLocaleString('en-US')} req/s |`,
    `| ours same IP (big tables) | ${Math.round(sameIp.requestsPerSecond).toLocaleString('en-US')} req/s, p50 ${sameIp.p50Ms} ms, p99 ${sameIp.p99Ms} ms |`,
    `| same IP / ceiling, big tables vs small | ${bigRatio.toFixed(2)}x vs ${input.smallRatio.toFixed(2)}x (${((bigRatio / input.smallRatio - 1) * 100).toFixed(1)}%) |`,
    `| login with terminate_other_sessions, user with ${HEAVY_USER_SESSIONS.toLocaleString('en-US')} sessions | ${Math.round(terminateMs)} ms (sessions left: ${left}) |`,
    `| housekeeping, one run | ${housekeeping.sessions} sessions + ${housekeeping.events} events in ${Math.round(housekeeping.ms)} ms = ${Math.round(housekeepingRows / (housekeeping.ms / 1000)).toLocaleString('en-US')} rows/s |`,
    '',
    ...explains.map((e) => `EXPLAIN ANALYZE ${e.name}:\n${e.plan}`),
  ].join('\n');
  return {
    text,
    json: {
      seedingMs: timings,
      ceiling,
      sameIp,
      ratioBig: bigRatio,
      ratioSmall: input.smallRatio,
      terminateOthersMs: terminateMs,
      housekeeping: { ...housekeeping, rowsPerSecond: housekeepingRows / (housekeeping.ms / 1000) },
      explains,
    },
  };
}

/** EXPLAIN (ANALYZE, BUFFERS) of the statements that run per request, per login and per housekeeping batch. */
export async function explainHotQueries(db: pg.Client): Promise<Array<{ name: string; plan: string }>> {
  const hash = (
    await db.query(`SELECT token_hash, uuid, user_pk FROM sessions WHERE expires > now() LIMIT 1 OFFSET 500000`)
  ).rows[0] as { token_hash: string; uuid: string; user_pk: number } | undefined;
  if (!hash) return [];
  const queries: Array<[string, string, unknown[]]> = [
    [
      'session lookup by token hash (cache miss)',
      `SELECT s.uuid, s.user_pk, s.expires, s.last_ip, s.network_binding, s.geoip_binding, u.username, u.is_active
         FROM sessions s JOIN users u ON u.pk = s.user_pk WHERE s.token_hash = $1 AND s.expires > $2`,
      [hash.token_hash, new Date()],
    ],
    [
      'session activity write (one flush of 3 sessions)',
      `UPDATE sessions s SET last_ip = COALESCE(v.last_ip, s.last_ip), last_used = GREATEST(s.last_used, v.last_used)
         FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS v(uuid, last_ip, last_used),
              (SELECT set_config('idp.session_activity', 'on', true)) AS quiet
        WHERE s.uuid = v.uuid`,
      [
        [hash.uuid, hash.uuid, hash.uuid],
        ['198.18.0.1', '198.18.0.1', '198.18.0.1'],
        [new Date(), new Date(), new Date()],
      ],
    ],
    [
      "a user's other sessions (terminate_other_sessions, My sessions)",
      `SELECT uuid FROM sessions WHERE user_pk = $1 AND uuid <> $2`,
      [hash.user_pk, hash.uuid],
    ],
    [
      'housekeeping batch of expired sessions',
      `SELECT uuid FROM sessions WHERE expires <= $1 LIMIT 1000 FOR UPDATE SKIP LOCKED`,
      [new Date()],
    ],
    [
      'housekeeping batch of expired events',
      `SELECT event_uuid FROM events WHERE expires <= $1 LIMIT 1000 FOR UPDATE SKIP LOCKED`,
      [new Date()],
    ],
    ['event log, newest first (admin)', `SELECT event_uuid FROM events ORDER BY created DESC LIMIT 20`, []],
  ];
  const plans: Array<{ name: string; plan: string }> = [];
  for (const [name, sql, params] of queries) {
    // Inside a rolled-back transaction, so the UPDATE and the locks leave nothing behind.
    await db.query('BEGIN');
    try {
      const { rows } = await db.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sql}`, params);
      plans.push({ name, plan: rows.map((row) => row['QUERY PLAN']).join('\n') });
    } finally {
      await db.query('ROLLBACK');
    }
  }
  return plans;
}
