// `npm run bench -- --scale`: the same server with 1,000,000 sessions and 5,000,000 events in
// its tables. Reports the same-IP ratio again, terminate_other_sessions for a user with 10,000
// sessions, one housekeeping run's rows per second, and EXPLAIN ANALYZE of every hot query.
import type pg from 'pg';
import { readFileSync } from 'node:fs';
import { runLoad, type LoadOptions, type LoadResult } from './support/load.js';
import { summarise, type Row } from './support/report.js';

/** What the scale mode needs from the main run. */
export interface ScaleInput {
  db: pg.Client;
  ourUrl: string;
  ceilingUrl: string;
  loginHostUrl: string;
  cookie: string;
  /** A session of the server with SESSION_CACHE=off (loginHostUrl): one SELECT per request. */
  uncachedCookie: string;
  /** The processes whose CPU is counted per request: the cached server, the uncached one, the database. */
  cpu: { server: number[]; uncachedServer: number[]; database: () => Promise<number[]> };
  headers: Record<string, string>;
  connections: number;
  durationSeconds: number;
  rounds: number;
  /** The small-table rows of this run, to compare with. */
  small: Row[];
  /** Table sizes (default 1,000,000 sessions and 5,000,000 events; smaller ones to try the mode out). */
  sessions?: number;
  events?: number;
}

const HEAVY_USER_SESSIONS = 10_000;
// A tenth of the sessions and events are expired, for the housekeeping run to find.
const TO_EXPIRE = 'bench: expires before the housekeeping run';

export async function runScale(input: ScaleInput): Promise<{ text: string; json: unknown }> {
  const { db } = input;
  const sessions = input.sessions ?? 1_000_000;
  const events = input.events ?? 5_000_000;
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
  // The sessions of 100,000 users plus one user with 10,000, all live for a day: the ones that
  // housekeeping should find (marked by their user agent) expire just before its run, or the
  // server's own scheduled run would have removed them during the minutes of seeding.
  await timed('seed sessions', () =>
    db.query(
      `INSERT INTO sessions (token_hash, user_pk, created, expires, browser_session, last_ip, last_user_agent,
                            last_used, network_binding, geoip_binding)
       SELECT encode(sha256(('scale-' || i)::bytea), 'hex'),
              (SELECT pk FROM users WHERE username = 'scale_' || (1 + i % 100000)),
              now() - interval '1 hour', now() + interval '1 day',
              false, '198.18.' || (i % 256) || '.' || (1 + i % 250),
              CASE WHEN i <= $2 THEN $3 ELSE 'Mozilla/5.0 (X11; Linux x86_64) bench' END,
              now() - interval '1 minute', 'bind_asn_network', 'bind_continent_country'
         FROM generate_series(1, $1) i`,
      [sessions - HEAVY_USER_SESSIONS, sessions / 10, TO_EXPIRE],
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
      [events, events / 10],
    ),
  );
  await timed('vacuum analyze', () => db.query('VACUUM ANALYZE'));

  // Same rows as the small-table run, alternating so all see the same machine. With the cache, a
  // same-IP request does not read the tables at all; the uncached server's row is the one whose
  // cost could grow with them (one SELECT per request).
  const rows: Array<{ id: string; load: Omit<LoadOptions, 'connections' | 'durationSeconds'> }> = [
    {
      id: 'ceiling',
      load: {
        url: input.ceilingUrl,
        expectStatus: 204,
        cpu: { server: input.cpu.server, database: input.cpu.database },
      },
    },
    {
      id: 'same_ip',
      load: {
        url: input.ourUrl,
        headers: { cookie: input.cookie, ...input.headers },
        expectStatus: 200,
        cpu: { server: input.cpu.server, database: input.cpu.database },
      },
    },
    {
      id: 'same_ip_nocache',
      load: {
        url: `${input.loginHostUrl}${new URL(input.ourUrl).pathname}`,
        headers: { cookie: input.uncachedCookie, ...input.headers },
        expectStatus: 200,
        cpu: { server: input.cpu.uncachedServer, database: input.cpu.database },
      },
    },
  ];
  const results = new Map<string, LoadResult[]>(rows.map((row) => [row.id, []]));
  for (const row of rows) await runLoad({ ...row.load, connections: input.connections, durationSeconds: 2 });
  for (let round = 0; round < input.rounds; round++) {
    for (const row of round % 2 === 0 ? rows : rows.toReversed()) {
      const result = await runLoad({
        ...row.load,
        connections: input.connections,
        durationSeconds: input.durationSeconds,
      });
      results.get(row.id)!.push(result);
      console.log(
        `  scale round ${round + 1}: ${row.id.padEnd(16)} ${Math.round(result.requestsPerSecond)} req/s, CPU/request server ${Math.round(result.cpuPerRequestUs?.server ?? NaN)} µs, db ${Math.round(result.cpuPerRequestUs?.database ?? NaN)} µs`,
      );
    }
  }
  const big = Object.fromEntries([...results].map(([id, rounds]) => [id, summarise(rounds)]));
  const small = Object.fromEntries(input.small.map((row) => [row.id, row]));
  const compare = (id: string) => {
    const rate = (set: Record<string, { requestsPerSecond: number }>) =>
      (set[id]?.requestsPerSecond ?? NaN) / (set.ceiling?.requestsPerSecond ?? NaN);
    return {
      ratioToCeilingBig: rate(big),
      ratioToCeilingSmall: rate(small),
      cpuUsBig: cost(big[id]),
      cpuUsSmall: cost(small[id]),
    };
  };
  const comparisons = { same_ip: compare('same_ip'), same_ip_nocache: compare('same_ip_nocache') };

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

  // Quietly (as the activity writer does): these sessions are in no instance's cache.
  await db.query('BEGIN');
  await db.query(`SELECT set_config('idp.session_activity', 'on', true)`);
  await db.query(`UPDATE sessions SET expires = now() - interval '1 minute' WHERE last_user_agent = $1`, [TO_EXPIRE]);
  await db.query('COMMIT');
  const housekeeping = (await (
    await fetch(`${input.loginHostUrl}/bench/housekeeping/`, { method: 'POST' })
  ).json()) as { sessions: number; events: number; flowExecutions: number; ms: number };
  const housekeepingRows = housekeeping.sessions + housekeeping.events + housekeeping.flowExecutions;

  const explains = await explainHotQueries(db);
  const text = [
    `scale: ${sessions.toLocaleString('en-US')} sessions, ${events.toLocaleString('en-US')} events (seeding ${Object.entries(
      timings,
    )
      .map(([k, v]) => `${k} ${v} ms`)
      .join(', ')})`,
    `| what | value |`,
    `|---|---|`,
    `| ceiling (big tables) | ${Math.round(big.ceiling.requestsPerSecond).toLocaleString('en-US')} req/s |`,
    ...Object.entries(comparisons).map(
      ([id, c]) =>
        `| ${id}: rate / ceiling, big vs small tables | ${c.ratioToCeilingBig.toFixed(2)}x vs ${c.ratioToCeilingSmall.toFixed(2)}x (${percent(c.ratioToCeilingBig, c.ratioToCeilingSmall)}) |\n` +
        `| ${id}: CPU per request (server + database), big vs small tables | ${Math.round(c.cpuUsBig)} µs vs ${Math.round(c.cpuUsSmall)} µs (${percent(c.cpuUsBig, c.cpuUsSmall)}) |`,
    ),
    `| login with terminate_other_sessions, user with ${HEAVY_USER_SESSIONS.toLocaleString('en-US')} sessions | ${Math.round(terminateMs)} ms (sessions left: ${left}) |`,
    `| housekeeping, one run | ${housekeeping.sessions} sessions + ${housekeeping.events} events in ${Math.round(housekeeping.ms)} ms = ${Math.round(housekeepingRows / (housekeeping.ms / 1000)).toLocaleString('en-US')} rows/s |`,
    '',
    ...explains.map((e) => `EXPLAIN ANALYZE ${e.name}:\n${e.plan}`),
  ].join('\n');
  return {
    text,
    json: {
      seedingMs: timings,
      big: Object.fromEntries([...results].map(([id, rounds]) => [id, { ...big[id], rounds }])),
      comparisons,
      terminateOthersMs: terminateMs,
      housekeeping: { ...housekeeping, rowsPerSecond: housekeepingRows / (housekeeping.ms / 1000) },
      explains,
    },
  };
}

// The statements the server runs, read from SessionRepository's source (one file, whatever the
// build layout), so the plans are of those statements and not of copies that could drift.
function repositoryStatement(name: 'ACTIVE_BY_HASH' | 'WRITE_ACTIVITY'): string {
  const source = readFileSync(
    new URL('../../libs/user-login/src/persistence/session.repository.ts', import.meta.url),
    'utf8',
  );
  const found = new RegExp(`const ${name} = \`([^\`]*)\`;`).exec(source);
  if (!found) throw new Error(`${name} not found in session.repository.ts`);
  return found[1];
}

function cost(row: { serverCpuUs: number | null; databaseCpuUs: number | null } | undefined): number {
  return row?.serverCpuUs == null || row.databaseCpuUs == null ? Number.NaN : row.serverCpuUs + row.databaseCpuUs;
}

function percent(a: number, b: number): string {
  return `${a / b - 1 >= 0 ? '+' : ''}${((a / b - 1) * 100).toFixed(1)}%`;
}

/** EXPLAIN (ANALYZE, BUFFERS) of the statements that run per request, per login and per housekeeping batch. */
export async function explainHotQueries(db: pg.Client): Promise<Array<{ name: string; plan: string }>> {
  const hash = (
    await db.query(`SELECT token_hash, uuid, user_pk FROM sessions WHERE expires > now() LIMIT 1 OFFSET 500000`)
  ).rows[0] as { token_hash: string; uuid: string; user_pk: number } | undefined;
  if (!hash) return [];
  const queries: Array<[string, string, unknown[]]> = [
    [
      'session lookup by token hash (a cache miss; SessionRepository)',
      repositoryStatement('ACTIVE_BY_HASH'),
      [hash.token_hash, new Date()],
    ],
    [
      'session activity write (one flush of 3 sessions; SessionActivityWriter)',
      repositoryStatement('WRITE_ACTIVITY'),
      [
        [hash.uuid, hash.uuid, hash.uuid],
        ['198.18.0.1', '198.18.0.1', '198.18.0.1'],
        [new Date(), new Date(), new Date()],
        [null, null, null],
        [null, null, null],
        [false, false, false],
        [null, null, null],
        [false, false, false],
        [null, null, null],
        [null, null, null],
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
