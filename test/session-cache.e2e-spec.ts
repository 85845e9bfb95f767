import { hashToken, newToken } from '@idp/core';
// Internals of the module (not part of its public API), imported where they are tested.
import { SessionRepository } from '../libs/user-login/src/persistence/session.repository.js';
import { SessionActivityWriter } from '../libs/user-login/src/session-cache/session-activity.writer.js';
import { SessionCache } from '../libs/user-login/src/session-cache/session-cache.js';
import {
  SessionInvalidationListener,
  type ListenerState,
} from '../libs/user-login/src/session-cache/session-invalidation.listener.js';
import { USER_LOGIN_OPTIONS } from '@idp/user-login';
import pg from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { adminAuth, patchDefaultLoginStage } from './support/admin-api.js';
import { LogLines } from './support/log-lines.js';
import { TcpCutProxy } from './support/tcp-cut-proxy.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const ME = '/api/v3/core/users/me/';
const SESSIONS = '/api/v3/core/authenticated_sessions/';
// Rounds of "revoke on A, poll B"; REVOCATION_ROUNDS=100 for the figures in docs/performance.md.
const ROUNDS = Number(process.env.REVOCATION_ROUNDS ?? 20);
// Polling bound: a rejection that has not come by then fails the test (it normally takes ms).
const WAIT_MS = 10_000;

async function listening(server: TestServer): Promise<void> {
  const listener = server.app.get(SessionInvalidationListener);
  if (listener.state === 'listening') return;
  await new Promise<void>((resolve) => {
    const stop = listener.onStateChange((state) => {
      if (state === 'listening') {
        stop();
        resolve();
      }
    });
  });
}

/** Polls until `check` is true; false when WAIT_MS passed first. */
async function eventually(check: () => boolean | Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return false;
}

const me = (server: TestServer, cookie: string, ip?: string) => {
  const call = request(server.http).get(ME).set('Cookie', cookie);
  return ip ? call.set('X-Forwarded-For', ip) : call;
};

type SessionFields = { userPk?: number; networkBinding?: string; stageUuid?: string };

/** A session row made directly (no password hashing; akadmin's unless told), with its cookie. */
async function insertSession(server: TestServer, fields: SessionFields = {}) {
  const token = newToken();
  const { rows } = await server.db.query(
    `INSERT INTO sessions (token_hash, user_pk, created, expires, browser_session, last_ip, last_used,
                           network_binding, stage_uuid)
     VALUES ($1, COALESCE($2, (SELECT pk FROM users WHERE username = 'akadmin')), now(), now() + interval '1 hour',
             false, '127.0.0.1', now(), $3, $4) RETURNING uuid`,
    [hashToken(token), fields.userPk ?? null, fields.networkBinding ?? 'no_binding', fields.stageUuid ?? null],
  );
  return { uuid: rows[0].uuid as string, cookie: `idp_session=${token}` };
}

/**
 * Requests until one is answered from the cache: the first reads the database and fills it.
 * (A fill is rightly dropped when any notification arrives during its read, hence the retries.)
 */
async function warm(server: TestServer, cookie: string): Promise<void> {
  const cache = server.app.get(SessionCache);
  expect((await me(server, cookie)).status).toBe(200);
  for (let attempt = 0; attempt < 3; attempt++) {
    const hits = cache.stats().hits;
    expect((await me(server, cookie)).status).toBe(200);
    if (cache.stats().hits === hits + 1) return;
  }
  expect.fail('the session never came from the cache');
}

describe('session cache: two server instances on one database', () => {
  let a: TestServer;
  let b: TestServer;
  let cacheB: SessionCache;

  const newSession = (fields: SessionFields = {}) => insertSession(a, fields);

  beforeAll(async () => {
    a = await startTestServer();
    b = await startTestServer({ sameDatabaseAs: a, configure: (config) => (config.sessionListenerReconnectMs = 2000) });
    await Promise.all([listening(a), listening(b)]);
    cacheB = b.app.get(SessionCache);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it(`a session revoked on A is rejected on B (${ROUNDS} rounds; latency printed, not asserted)`, async () => {
    // When B's cache hears of each session, to time the notification apart from the polling.
    const heardAt = new Map<string, number>();
    const invalidate = cacheB.invalidateSessions.bind(cacheB);
    cacheB.invalidateSessions = (uuids) => {
      for (const uuid of uuids) if (!heardAt.has(uuid)) heardAt.set(uuid, performance.now());
      invalidate(uuids);
    };
    // When A's DELETE returned (autocommit: committed), to time from the commit.
    const committedAt = new Map<string, number>();
    const repository = a.app.get(SessionRepository);
    const deleteByUuid = repository.deleteByUuid.bind(repository);
    repository.deleteByUuid = async (uuid, manager) => {
      const deleted = await deleteByUuid(uuid, manager);
      committedAt.set(uuid, performance.now());
      return deleted;
    };
    const heard: number[] = [];
    const rejected: number[] = [];
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const { uuid, cookie } = await newSession();
        await warm(b, cookie);
        const revoked = await request(a.http).delete(`${SESSIONS}${uuid}/`).set(adminAuth());
        expect(revoked.status).toBe(204);
        const answered = performance.now();
        // A itself rejects at once: its own revoke dropped the entry.
        expect((await me(a, cookie)).status).toBe(401);
        let rejectedAt = 0;
        const wasRejected = await eventually(async () => {
          const status = (await me(b, cookie)).status;
          if (status === 401) rejectedAt = performance.now();
          return status === 401;
        });
        expect(wasRejected).toBe(true);
        expect(heardAt.has(uuid)).toBe(true);
        heard.push(heardAt.get(uuid)! - committedAt.get(uuid)!);
        rejected.push(rejectedAt - answered);
      }
    } finally {
      cacheB.invalidateSessions = invalidate;
      repository.deleteByUuid = deleteByUuid;
    }
    const summary = (values: number[]) => {
      const sorted = values.toSorted((x, y) => x - y);
      return `p50 ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`;
    };
    console.log(
      `revocation, ${ROUNDS} rounds: B's cache dropped the session ${summary(heard)} after A's DELETE committed; ` +
        `B's first 401 came ${summary(rejected)} after A answered (polling B)`,
    );
  });

  it('a user deactivated in the database (no session deleted) is rejected on B', async () => {
    const { rows } = await a.db.query(
      `INSERT INTO users (username, email) VALUES ('dora', 'dora@example.test') RETURNING pk`,
    );
    const { uuid, cookie } = await newSession({ userPk: rows[0].pk });
    const other = await newSession();
    await warm(b, cookie);
    await warm(b, other.cookie);
    await a.db.query(`UPDATE users SET is_active = false WHERE pk = $1`, [rows[0].pk]);
    expect(await eventually(() => !cacheB.holds(uuid))).toBe(true);
    expect((await me(b, cookie)).status).toBe(401);
    // Only that user's sessions are forgotten.
    expect(cacheB.holds(other.uuid)).toBe(true);
  });

  it("a session's binding changed in the database is enforced on B; a changed login stage drops its sessions", async () => {
    const { uuid, cookie } = await newSession();
    await warm(b, cookie);
    // No ASN database is configured: an ASN-bound session breaks (network.missing) on any new IP.
    await a.db.query(`UPDATE sessions SET network_binding = 'bind_asn' WHERE uuid = $1`, [uuid]);
    expect(await eventually(() => !cacheB.holds(uuid))).toBe(true);
    expect((await me(b, cookie, '198.51.100.7')).status).toBe(401);
    expect((await a.db.query('SELECT 1 FROM sessions WHERE uuid = $1', [uuid])).rowCount).toBe(0);

    const stageUuid = (await a.db.query(`SELECT stage_uuid FROM stages WHERE name = 'default-authentication-login'`))
      .rows[0].stage_uuid;
    const staged = await newSession({ stageUuid });
    const unstaged = await newSession();
    await warm(b, staged.cookie);
    await warm(b, unstaged.cookie);
    await patchDefaultLoginStage(a, { session_duration: 'hours=2' });
    expect(await eventually(() => !cacheB.holds(staged.uuid))).toBe(true);
    // Only the sessions that stage created are forgotten.
    expect(cacheB.holds(unstaged.uuid)).toBe(true);
  });

  it('a binding broken on both instances at once ends the session once: one logout event', async () => {
    const { uuid, cookie } = await newSession({ networkBinding: 'bind_asn' });
    await warm(a, cookie);
    await warm(b, cookie);
    const answers = await Promise.all(
      [a, b, a, b, a, b].map((server) => me(server, cookie, '198.51.100.8').then((response) => response.status)),
    );
    expect(answers).toEqual(Array(6).fill(401));
    const events = await a.db.query(`SELECT 1 FROM events WHERE action = 'logout' AND context->>'session_uuid' = $1`, [
      uuid,
    ]);
    expect(events.rowCount).toBe(1);
  });

  it("an expiry is honoured from the cache (by the instance's own clock)", async () => {
    const { cookie } = await newSession();
    await warm(b, cookie);
    b.clock.advance(3_600_000 + 1000);
    try {
      expect((await me(b, cookie)).status).toBe(401);
    } finally {
      b.clock.advance(-(3_600_000 + 1000));
    }
  });

  it('session activity is written behind without notifying the other instances', async () => {
    const first = await newSession();
    const second = await newSession();
    await warm(b, first.cookie);
    await warm(b, second.cookie);
    await a.app.get(SessionActivityWriter).record(first.uuid, { lastIp: '203.0.113.5', lastUsed: new Date() });
    await a.app.get(SessionActivityWriter).flush();
    // Notifications arrive in commit order: once B hears of this later change, it has heard everything before it.
    await a.db.query(`UPDATE sessions SET last_user_agent = 'changed by hand' WHERE uuid = $1`, [second.uuid]);
    expect(await eventually(() => !cacheB.holds(second.uuid))).toBe(true);
    expect(cacheB.holds(first.uuid)).toBe(true);
    expect((await a.db.query('SELECT last_ip FROM sessions WHERE uuid = $1', [first.uuid])).rows[0].last_ip).toBe(
      '203.0.113.5',
    );
  });

  it("a notification of a kind this code does not know empties the cache; another instance's heartbeat does not", async () => {
    const { uuid, cookie } = await newSession();
    await warm(b, cookie);
    const channel = `idp_sessions:${a.schema}`;
    const invalidations = cacheB.stats().invalidations;
    // What another instance's heartbeat looks like on the channel: B awaits only its own pings.
    await a.db.query('SELECT pg_notify($1, $2)', [channel, 'ping:0123456789ab:1']);
    // Notifications arrive in order: once B heard the one after it, it has heard the ping.
    await a.db.query('SELECT pg_notify($1, $2)', [channel, 's:00000000-0000-4000-8000-000000000000']);
    expect(await eventually(() => cacheB.stats().invalidations > invalidations)).toBe(true);
    expect(cacheB.holds(uuid)).toBe(true);
    expect(cacheB.active).toBe(true);

    // A kind a newer version might send: forgetting everything is the safe answer.
    await a.db.query('SELECT pg_notify($1, $2)', [channel, 'zz:whatever']);
    expect(await eventually(() => !cacheB.holds(uuid))).toBe(true);
    expect(cacheB.active).toBe(true);
  });

  it('the listener connection killed: the cache is bypassed until the listener is back', async () => {
    const listener = b.app.get(SessionInvalidationListener);
    const { uuid, cookie } = await newSession();
    await warm(b, cookie);
    const pid = await listener.backendPid();
    const states: ListenerState[] = [];
    const stop = listener.onStateChange((state) => void states.push(state));
    try {
      await a.db.query('SELECT pg_terminate_backend($1)', [pid]);
      expect(await eventually(() => states.includes('down'))).toBe(true);
      expect(cacheB.active).toBe(false);
      expect(await listener.backendPid()).toBeNull();
      // Deleted with triggers off, so no notification could tell B: only a bypassed cache rejects it.
      await a.db.query('BEGIN');
      await a.db.query('SET LOCAL session_replication_role = replica');
      await a.db.query('DELETE FROM sessions WHERE uuid = $1', [uuid]);
      await a.db.query('COMMIT');
      const bypassed = cacheB.stats().bypassed;
      expect((await me(b, cookie)).status).toBe(401);
      expect(cacheB.stats().bypassed).toBeGreaterThan(bypassed);
      // The request ran while the listener was still away (it reconnects after 2 s).
      expect(states).not.toContain('listening');

      await listening(b);
      expect(await listener.backendPid()).not.toBe(pid);
      const back = await newSession();
      await warm(b, back.cookie);
      // Listening again for real: a revocation on A reaches B's cache.
      await a.db.query('DELETE FROM sessions WHERE uuid = $1', [back.uuid]);
      expect(await eventually(() => !cacheB.holds(back.uuid))).toBe(true);
    } finally {
      stop();
    }
    // Unsubscribed: later changes are not reported.
    const seen = states.length;
    const later: ListenerState[] = [];
    const stopLater = listener.onStateChange((state) => void later.push(state));
    await a.db.query('SELECT pg_terminate_backend($1)', [await listener.backendPid()]);
    expect(await eventually(() => later.includes('down'))).toBe(true);
    await listening(b);
    stopLater();
    expect(states).toHaveLength(seen);
  });

  it('a heartbeat that comes back keeps the listener up; a deaf connection is noticed by the heartbeat and replaced', async () => {
    const listener = b.app.get(SessionInvalidationListener);
    await listening(b);
    const states: ListenerState[] = [];
    const stop = listener.onStateChange((state) => void states.push(state));
    try {
      // Private: the interval calls it every 5 s; called here so the test does not wait for it.
      const client = listener['client']!;
      await listener['heartbeat'](client);
      expect(listener.state).toBe('listening');
      // The ping it waited for is forgotten once heard.
      expect(listener['awaitedPings'].size).toBe(0);
      expect(states).toEqual([]);

      // The connection stays open but hears nothing any more (as behind a pooler that swallows
      // NOTIFY): only the heartbeat's own notification not coming back reveals it.
      const { uuid, cookie } = await newSession();
      await warm(b, cookie);
      await client.query('UNLISTEN *');
      const noticed = Date.now() + 5_000 + 3_000 + WAIT_MS;
      while (!states.includes('down') && Date.now() < noticed) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(states).toContain('down');
      expect(cacheB.holds(uuid)).toBe(false);
      await listening(b);
      expect(listener['client']).not.toBe(client);
    } finally {
      stop();
    }
  });
});

describe('session cache: the listener on a URL of its own (SESSION_CACHE_LISTEN_URL)', () => {
  // Short, so that three reconnects fit in about a second and a half.
  const RECONNECT_MS = 200;
  const log = new LogLines();
  const lossLogged = () => log.saying('session cache off, listener lost').length;
  let proxy: TcpCutProxy;
  let server: TestServer;
  let listener: SessionInvalidationListener;

  beforeAll(async () => {
    proxy = await TcpCutProxy.start(inject('databaseUrl'));
    server = await startTestServer({
      env: { LOG_LEVEL: 'warn' },
      logDestination: log,
      configure: (config) => {
        // Only the listener goes through the proxy: the pool stays direct.
        config.sessionCacheListenUrl = proxy.url;
        config.sessionListenerReconnectMs = RECONNECT_MS;
      },
    });
    listener = server.app.get(SessionInvalidationListener);
    await listening(server);
  });
  afterAll(async () => {
    await server?.close();
    await proxy?.close();
  });

  it("listens on that URL (in the app's schema) and hears revocations there", async () => {
    expect(proxy.openConnections).toBe(1);
    const pid = await listener.backendPid();
    const { rows } = await server.db.query('SELECT application_name FROM pg_stat_activity WHERE pid = $1', [pid]);
    expect(rows[0].application_name).toBe('idp-session-listener');

    const cache = server.app.get(SessionCache);
    const { uuid, cookie } = await insertSession(server);
    await warm(server, cookie);
    await server.db.query('DELETE FROM sessions WHERE uuid = $1', [uuid]);
    expect(await eventually(() => !cache.holds(uuid))).toBe(true);
    expect((await me(server, cookie)).status).toBe(401);
  });

  it('a lost line: the cache goes off, reconnects wait longer each time, the loss is logged once per outage', async () => {
    const cache = server.app.get(SessionCache);
    const changes: Array<{ state: ListenerState; at: number }> = [];
    const stop = listener.onStateChange((state) => void changes.push({ state, at: performance.now() }));
    const attempts = () => changes.filter((change) => change.state === 'connecting').length;
    // Asked while a reconnect is under way, backendPid answers null at once (no query on a half-open client).
    const pidsWhileConnecting: Array<Promise<number | null>> = [];
    const stopPids = listener.onStateChange((state) => {
      // Asked in the next microtask: the listener has made its new client and is waiting for it to connect.
      if (state === 'connecting') pidsWhileConnecting.push(Promise.resolve().then(() => listener.backendPid()));
    });
    try {
      proxy.cut('reset');
      expect(await eventually(() => attempts() >= 3)).toBe(true);
      expect(cache.active).toBe(false);
      // Each failed attempt goes down again; attempt n starts no sooner than RECONNECT_MS * 2^(n-1)
      // after the failure before it (lower bounds only: a busy machine makes timers late, never early).
      const downs = changes.filter((change) => change.state === 'down');
      const connects = changes.filter((change) => change.state === 'connecting');
      expect(downs.length).toBeGreaterThanOrEqual(3);
      for (let n = 0; n < 3; n++) {
        expect(connects[n].at - downs[n].at).toBeGreaterThanOrEqual(RECONNECT_MS * 2 ** n - 5);
      }
      expect(changes.some((change) => change.state === 'listening')).toBe(false);
      expect(lossLogged()).toBe(1);
      stopPids();
      expect(await Promise.all(pidsWhileConnecting)).toEqual(pidsWhileConnecting.map(() => null));
      expect(log.saying('session cache off, listener lost')[0]).toMatchObject({ level: 40 });

      proxy.restore();
      await listening(server);
      expect(cache.active).toBe(true);

      // A new outage starts the count again: logged again, first retry after the base delay again.
      const before = changes.length;
      proxy.cut('reset');
      expect(await eventually(() => changes.slice(before).some((change) => change.state === 'connecting'))).toBe(true);
      expect(lossLogged()).toBe(2);
      proxy.restore();
      await listening(server);
    } finally {
      stop();
      stopPids();
      proxy.restore();
    }
  });

  /**
   * Starts a listener of its own (same database and options as the server's, which stays
   * untouched) and runs `meanwhile(listener, client)` after the server has answered its LISTEN
   * and before the listener reads that answer; resolves once the listener has gone on from there.
   */
  async function listenWithInterruption(
    cache: SessionCache,
    meanwhile: (own: SessionInvalidationListener, client: pg.Client) => Promise<void> | void,
  ): Promise<SessionInvalidationListener> {
    const own = new SessionInvalidationListener(cache, server.app.get(DataSource), server.app.get(USER_LOGIN_OPTIONS));
    const query = pg.Client.prototype.query;
    let interrupted!: () => void;
    const done = new Promise<void>((resolve) => (interrupted = resolve));
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const result = (query as (...a: unknown[]) => unknown).apply(this, args);
      if (typeof args[0] !== 'string' || !args[0].startsWith('LISTEN')) return result;
      return (result as Promise<unknown>).then(async (answer) => {
        await meanwhile(own, this);
        interrupted();
        return answer;
      });
    } as typeof query;
    try {
      own.onApplicationBootstrap();
      await done;
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      pg.Client.prototype.query = query;
    }
    return own;
  }

  it('shutting down while LISTEN is being answered leaves the listener off, the cache off and no heartbeat', async () => {
    const cache = new SessionCache();
    const own = await listenWithInterruption(cache, (started) => started.onApplicationShutdown());
    expect(own.state).toBe('off');
    expect(cache.active).toBe(false);
    expect(own['heartbeatTimer']).toBeNull();
  });

  it('a connection that fails while LISTEN is being answered is not trusted: down, then a new one listens', async () => {
    const cache = new SessionCache();
    const own = await listenWithInterruption(cache, (_listener, client) => {
      client.emit('error', new Error('connection lost during LISTEN'));
    });
    try {
      expect(own.state).toBe('down');
      expect(cache.active).toBe(false);
      expect(own['heartbeatTimer']).toBeNull();
      expect(await eventually(() => own.state === 'listening')).toBe(true);
      expect(cache.active).toBe(true);
    } finally {
      await own.onApplicationShutdown();
    }
  });
});

describe('session cache off (SESSION_CACHE=off)', () => {
  it('starts no listener: every request reads the database, and shutting down reports no state change', async () => {
    const server = await startTestServer({ env: { SESSION_CACHE: 'off' } });
    const listener = server.app.get(SessionInvalidationListener);
    const states: ListenerState[] = [];
    const stop = listener.onStateChange((state) => void states.push(state));
    try {
      expect(listener.state).toBe('off');
      const cache = server.app.get(SessionCache);
      const { cookie } = await insertSession(server);
      expect((await me(server, cookie)).status).toBe(200);
      expect((await me(server, cookie)).status).toBe(200);
      expect(cache.stats().hits).toBe(0);
      expect(cache.stats().bypassed).toBeGreaterThanOrEqual(2);
    } finally {
      await server.close();
      stop();
    }
    expect(listener.state).toBe('off');
    expect(states).toEqual([]);
  });
});
