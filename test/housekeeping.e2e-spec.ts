import { hashToken } from '@idp/core';
import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { HousekeepingService } from '../apps/identity-server/src/housekeeping/housekeeping.service.js';
import { Browser, cookieFrom, login } from './support/http.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from './support/test-server.js';
import { patchDefaultLoginStage } from './support/admin-api.js';

const HOUR = 3_600_000;
const AUTH_FLOW = '/api/v3/flows/executor/default-authentication-flow/';

describe('expiry housekeeping (EVENT_RETENTION=hours=1)', () => {
  let server: TestServer;
  let sut: HousekeepingService;

  beforeAll(async () => {
    server = await startTestServer({ env: { EVENT_RETENTION: 'hours=1' } });
    sut = server.app.get(HousekeepingService);
  });
  afterAll(() => server?.close());

  async function count(sql: string, params: unknown[] = []): Promise<number> {
    return Number((await server.db.query(`SELECT count(*) AS n FROM ${sql}`, params)).rows[0].n);
  }

  async function signIn(): Promise<string> {
    const browser = new Browser(server.http);
    const done = await login(browser, 'akadmin', ADMIN_PASSWORD);
    expect(done.body.component).toBe('xak-flow-redirect');
    return hashToken(cookieFrom(done, 'idp_session')!.split('=')[1]);
  }

  const setStageDuration = (duration: string) => patchDefaultLoginStage(server, { session_duration: duration });

  it('deletes expired sessions, events past EVENT_RETENTION and abandoned flows; keeps fresh rows', async () => {
    await setStageDuration('minutes=30');
    const shortSession = await signIn(); // absolute, ends 30 minutes from now
    await setStageDuration('seconds=0');
    const browserSession = await signIn(); // kept for SESSION_BROWSER_IDLE (default one day)
    // A wrong password: an abandoned flow (kept for 30 minutes) and a failed attempt (kept for the throttle's window).
    await login(new Browser(server.http), 'akadmin', 'not-the-password');
    const oldEvents = await count('events');
    expect(oldEvents).toBeGreaterThan(0);

    server.clock.advance(2 * HOUR);
    const freshEventsSince = server.clock.now();
    const freshSession = await signIn();
    await new Browser(server.http).get(AUTH_FLOW);
    const now = server.clock.now();
    const expected = {
      sessions: await count('sessions WHERE expires <= $1', [now]),
      events: await count('events WHERE expires < $1', [now]),
      flowExecutions: await count('flow_executions WHERE expires <= $1', [now]),
      loginAttempts: await count('login_attempts WHERE created <= $1', [new Date(now.getTime() - 15 * 60_000)]),
      devices: await count('devices WHERE expires <= $1', [now]),
    };
    expect(expected).toEqual({ sessions: 1, events: oldEvents, flowExecutions: 1, loginAttempts: 1, devices: 0 });

    const log = vi.spyOn(Logger.prototype, 'log');
    try {
      await expect(sut.runOnce()).resolves.toEqual(expected);
      const lines = log.mock.calls.map((call) => String(call[0])).filter((line) => line.startsWith('Housekeeping'));
      expect(lines).toEqual([
        `Housekeeping deleted 1 expired sessions, ${oldEvents} expired events, 1 expired flow executions, 1 old sign-in attempts, 0 expired devices`,
      ]);
    } finally {
      log.mockRestore();
    }

    expect(await count('sessions WHERE token_hash = $1', [shortSession])).toBe(0);
    expect(await count('sessions WHERE token_hash = $1', [browserSession])).toBe(1);
    expect(await count('sessions WHERE token_hash = $1', [freshSession])).toBe(1);
    expect(await count('events WHERE created < $1', [freshEventsSince])).toBe(0);
    expect(await count('events WHERE created >= $1', [freshEventsSince])).toBeGreaterThan(0);
    expect(await count('flow_executions')).toBe(1);
    expect(await count('login_attempts')).toBe(0);
    await expect(sut.runOnce()).resolves.toEqual({
      sessions: 0,
      events: 0,
      flowExecutions: 0,
      loginAttempts: 0,
      devices: 0,
    });
  });

  it('works through a backlog bigger than one batch (1000 rows per statement)', async () => {
    const now = server.clock.now();
    const past = new Date(now.getTime() - HOUR);
    const future = new Date(now.getTime() + HOUR);
    await server.db.query(
      `INSERT INTO events (action, app, created, expires) SELECT 'login', 'test', $1, $1 FROM generate_series(1, 2500)`,
      [past],
    );
    await server.db.query(
      `INSERT INTO events (action, app, created, expires) SELECT 'login', 'test', $1, $2 FROM generate_series(1, 7)`,
      [now, future],
    );
    await server.db.query(
      `INSERT INTO sessions (token_hash, user_pk, created, expires, browser_session, last_ip, last_user_agent, last_used)
       SELECT md5('backlog' || i), (SELECT pk FROM users WHERE username = 'akadmin'), $1, $1, false, '127.0.0.1', '', $1
         FROM generate_series(1, 1500) AS i`,
      [past],
    );
    const keptEvents = await count('events WHERE expires >= $1', [now]);
    const keptSessions = await count('sessions WHERE expires > $1', [now]);

    await expect(sut.runOnce()).resolves.toEqual({
      sessions: 1500,
      events: 2500,
      flowExecutions: 0,
      loginAttempts: 0,
      devices: 0,
    });
    expect(await count('events')).toBe(keptEvents);
    expect(await count('sessions')).toBe(keptSessions);
  });

  it('skips rows another transaction has locked instead of waiting, and takes them on the next run', async () => {
    const { rows } = await server.db.query('SHOW search_path');
    const locker = new pg.Client({
      connectionString: inject('databaseUrl'),
      options: `-c search_path=${rows[0].search_path}`,
    });
    await locker.connect();
    try {
      const tokenHash = await signIn();
      server.clock.advance(2 * 24 * HOUR); // past the one-day browser-session window
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM sessions WHERE token_hash = $1 FOR UPDATE', [tokenHash]);
      const expired = await count('sessions WHERE expires <= $1', [server.clock.now()]);

      const report = await sut.runOnce();
      expect(report.sessions).toBe(expired - 1);
      expect(await count('sessions WHERE token_hash = $1', [tokenHash])).toBe(1);

      await locker.query('COMMIT');
      expect((await sut.runOnce()).sessions).toBe(1);
      expect(await count('sessions WHERE token_hash = $1', [tokenHash])).toBe(0);
    } finally {
      await locker.end();
    }
  });

  it('is registered with the scheduler, so it runs without anyone calling it', () => {
    expect(server.app.get(SchedulerRegistry).getIntervals()).toContain('housekeeping');
  });

  it('joins a run already in progress instead of starting a second one', async () => {
    const first = sut.runOnce();
    const second = sut.runOnce();
    expect(second).toBe(first);
    await first;
  });
});
