import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DataSource, type EntityManager } from 'typeorm';
import { createApp } from '../apps/identity-server/src/create-app.js';
import { LoginAttemptRepository } from '../libs/flows/src/throttle/login-attempt.repository.js';
import { Browser, cookieFrom, login } from './support/http.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from './support/test-server.js';

const AUTH_FLOW = '/api/v3/flows/executor/default-authentication-flow/';
const WINDOW_MS = 15 * 60_000;

/** Design section 11, sign-in throttling: here 3 failures per user and IP, 6 per IP, per 15 minutes. */
describe('sign-in throttling (LOGIN_THROTTLE=user_ip=3,ip=6,window=minutes=15)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ env: { LOGIN_THROTTLE: 'user_ip=3,ip=6,window=minutes=15' } });
  });
  afterAll(() => server?.close());

  const count = async (sql: string, params: unknown[] = []) =>
    Number((await server.db.query(`SELECT count(*) AS n FROM ${sql}`, params)).rows[0].n);

  /** A browser from `ip` that has passed identification as `username` and sits at the password step. */
  async function atPasswordStep(ip: string, username: string): Promise<Browser> {
    const browser = new Browser(server.http);
    browser.forwardedFor = ip;
    await browser.get(AUTH_FLOW);
    const identified = await browser.post(AUTH_FLOW, { component: 'ak-stage-identification', uid_field: username });
    expect(identified.body.component).toBe('ak-stage-password');
    return browser;
  }

  async function tryPassword(ip: string, username: string, password: string) {
    const browser = await atPasswordStep(ip, username);
    return browser.post(AUTH_FLOW, { component: 'ak-stage-password', password });
  }

  it('answers 429 with Retry-After after 3 failures for one user and IP, refusing even the right password', async () => {
    const ip = '192.168.10.1';
    const sessionsBefore = await count('sessions');
    for (let i = 0; i < 3; i += 1) {
      const failed = await tryPassword(ip, 'akadmin', `wrong-${i}`);
      expect(failed.status).toBe(200);
      expect(failed.body.response_errors.password[0].code).toBe('invalid');
    }
    const throttled = await tryPassword(ip, 'akadmin', ADMIN_PASSWORD);
    expect(throttled.status).toBe(429);
    expect(throttled.body).toEqual({
      detail: 'Too many failed sign-in attempts. Try again later.',
      code: 'throttled',
    });
    const retryAfter = Number(throttled.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_MS / 1000);
    expect(cookieFrom(throttled, 'idp_session')).toBeUndefined();
    expect(await count('sessions')).toBe(sessionsBefore);
    // Each checked failure is a login_failed event; the throttled try checked nothing.
    expect(await count(`events WHERE action = 'login_failed' AND client_ip = $1`, [ip])).toBe(3);

    // No lock-out: the same account signs in from another IP.
    const elsewhere = new Browser(server.http);
    elsewhere.forwardedFor = '192.168.10.2';
    expect((await login(elsewhere, 'akadmin', ADMIN_PASSWORD)).body.component).toBe('xak-flow-redirect');

    // The username is counted case-insensitively as typed: "AKADMIN" shares the budget.
    expect((await tryPassword(ip, ' AKADMIN ', ADMIN_PASSWORD)).status).toBe(429);

    // When the window has moved past the failures, the right password works again.
    server.clock.advance(WINDOW_MS + 1000);
    const later = new Browser(server.http);
    later.forwardedFor = ip;
    expect((await login(later, 'akadmin', ADMIN_PASSWORD)).body.component).toBe('xak-flow-redirect');
  });

  it('throttles an unknown username exactly like a known one, so throttling reveals no account', async () => {
    const answers = [];
    for (const [ip, username] of [
      ['192.168.20.1', 'akadmin'],
      ['192.168.20.2', 'nobody-has-this-name'],
    ]) {
      const statuses = [];
      for (let i = 0; i < 4; i += 1) statuses.push((await tryPassword(ip, username, `wrong-${i}`)).status);
      const last = await tryPassword(ip, username, 'wrong-again');
      answers.push({
        statuses,
        status: last.status,
        body: last.body,
        retry: last.headers['retry-after'] !== undefined,
      });
    }
    expect(answers[0]).toEqual({
      statuses: [200, 200, 200, 429],
      status: 429,
      body: { detail: 'Too many failed sign-in attempts. Try again later.', code: 'throttled' },
      retry: true,
    });
    expect(answers[1]).toEqual(answers[0]);
    // Identification itself is never throttled, for known and unknown names alike.
    await atPasswordStep('192.168.20.1', 'akadmin');
    await atPasswordStep('192.168.20.2', 'nobody-has-this-name');
  });

  it('limits one IP across usernames (6 failures), and counts a right password as no failure', async () => {
    const ip = '192.168.30.1';
    expect(
      (await login(Object.assign(new Browser(server.http), { forwardedFor: ip }), 'akadmin', ADMIN_PASSWORD)).body
        .component,
    ).toBe('xak-flow-redirect');
    for (let i = 0; i < 6; i += 1) expect((await tryPassword(ip, `user-${i}`, 'wrong')).status).toBe(200);
    expect((await tryPassword(ip, 'user-new', 'wrong')).status).toBe(429);
    expect((await tryPassword(ip, 'akadmin', ADMIN_PASSWORD)).status).toBe(429);
    expect(await count('login_attempts WHERE client_ip = $1', [ip])).toBe(6);
  });

  it('lets no more than the budget through when the tries arrive in parallel', async () => {
    const ip = '192.168.40.1';
    const browsers = await Promise.all(Array.from({ length: 12 }, () => atPasswordStep(ip, 'akadmin')));
    const answers = await Promise.all(
      browsers.map((browser, i) => browser.post(AUTH_FLOW, { component: 'ak-stage-password', password: `wrong-${i}` })),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(9);
    expect(await count(`events WHERE action = 'login_failed' AND client_ip = $1`, [ip])).toBe(3);
  });

  it('answers when a right password releases its attempt between the budget check and its reply', async () => {
    // `release()` takes no lock. A statement that deletes the attempt filling the budget runs
    // right after the repository's first read in the locked transaction: the refusal must still
    // say when a slot frees (two separate reads used to find nothing there and answer 500).
    const ip = '192.168.45.1';
    for (let i = 0; i < 3; i += 1) await tryPassword(ip, 'akadmin', `wrong-${i}`);
    const dataSource = server.app.get(DataSource);
    let reads = 0;
    const racing = {
      transaction: <T>(work: (db: EntityManager) => Promise<T>) =>
        dataSource.transaction((db) =>
          work(
            new Proxy(db, {
              get(target, key, receiver) {
                if (key !== 'query') return Reflect.get(target, key, receiver);
                return async (sql: string, params?: unknown[]) => {
                  const rows = await target.query(sql, params);
                  reads += 1;
                  if (reads === 2) {
                    await server.db.query(
                      `DELETE FROM login_attempts WHERE id = (SELECT id FROM login_attempts
                         WHERE client_ip = $1 ORDER BY created LIMIT 1)`,
                      [ip],
                    );
                  }
                  return rows;
                };
              },
            }),
          ),
        ),
    } as unknown as DataSource;
    const reservation = await new LoginAttemptRepository(racing).reserve('akadmin', ip, server.clock.now(), {
      perUserAndIp: 3,
      perIp: 6,
      windowMs: WINDOW_MS,
    });
    expect(reads).toBeGreaterThanOrEqual(2);
    expect(reservation.allowed).toBe(false);
    if (!reservation.allowed) expect(reservation.freesAt.getTime()).toBeGreaterThan(server.clock.now().getTime());
  });

  it('holds across instances: a second server on the same database sees the same budget', async () => {
    const ip = '192.168.50.1';
    for (let i = 0; i < 3; i += 1) await tryPassword(ip, 'akadmin', `wrong-${i}`);
    let other: INestApplication | undefined;
    try {
      other = await createApp(
        server.config,
        { url: inject('databaseUrl'), schema: server.schema },
        {
          logger: ['error'],
          clock: server.clock,
        },
      );
      await other.init();
      await (other.getHttpAdapter().getInstance() as { ready(): Promise<void> }).ready();
      const browser = new Browser(other.getHttpServer());
      browser.forwardedFor = ip;
      await browser.get(AUTH_FLOW);
      await browser.post(AUTH_FLOW, { component: 'ak-stage-identification', uid_field: 'akadmin' });
      const answer = await browser.post(AUTH_FLOW, { component: 'ak-stage-password', password: ADMIN_PASSWORD });
      expect(answer.status).toBe(429);
    } finally {
      await other?.close();
    }
  });
});
