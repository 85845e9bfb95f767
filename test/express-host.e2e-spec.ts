import { hashPassword } from '@idp/core';
// The write-behind flush is internal to the module; the test drains it before reading rows.
import { SessionActivityWriter } from '../libs/user-login/src/session-cache/session-activity.writer.js';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ExpressHostModule } from './express-host/express-host.module.js';
import { asnRecord, writeAsnDb } from './fixtures/geoip-fixtures.js';
import { Browser, setCookieLine } from './support/http.js';

describe('UserLoginModule in a plain Express host app (no flows)', () => {
  let app: INestApplication;
  let db: pg.Client;
  let dir: string;
  const schema = `e2e_host_${randomBytes(5).toString('hex')}`;

  beforeAll(async () => {
    const url = inject('databaseUrl');
    dir = await mkdtemp(join(tmpdir(), 'idp-host-'));
    const asnDb = writeAsnDb(join(dir, 'asn.mmdb'), [
      ['198.51.100.0/24', asnRecord(64500, 'Example Net A')],
      ['203.0.113.0/24', asnRecord(64501, 'Example Net B')],
    ]);
    db = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
    await db.connect();
    await db.query(`CREATE SCHEMA ${schema}`);
    const module = ExpressHostModule.forRoot({ url, schema, asnDb });
    const express = await NestFactory.create<NestExpressApplication>(module, new ExpressAdapter(), {
      logger: ['error'],
    });
    express.set('trust proxy', ['127.0.0.0/8', '::1/128']);
    app = await express.init();
    await db.query(`INSERT INTO users (username, email, password) VALUES ('alice', 'alice@example.test', $1)`, [
      await hashPassword('alice-password'),
    ]);
    const [stage] = (
      await db.query(`INSERT INTO stages (name, type) VALUES ('host-login', 'user_login') RETURNING stage_uuid`)
    ).rows;
    await db.query(
      `INSERT INTO user_login_stages (stage_uuid, session_duration, network_binding) VALUES ($1, 'hours=1,minutes=2,seconds=3', 'bind_asn')`,
      [stage.stage_uuid],
    );
  });

  afterAll(async () => {
    await app?.close();
    await db?.query(`DROP SCHEMA ${schema} CASCADE`);
    await db?.end();
    await rm(dir, { recursive: true, force: true });
  });

  it('logs in with a timed cookie, guards a route, and logs out', async () => {
    const browser = new Browser(app.getHttpServer());
    browser.forwardedFor = '198.51.100.7';
    const login = await browser.post('/login', { username: 'alice', password: 'alice-password', stage: 'host-login' });
    expect(login.status).toBe(200);
    const line = setCookieLine(login, 'host_session')!;
    expect(line).toMatch(/Max-Age=3723/);
    expect(line).toMatch(/HttpOnly/i);
    const row = (await db.query('SELECT last_ip, expires FROM sessions WHERE uuid = $1', [login.body.session])).rows[0];
    expect(row.last_ip).toBe('198.51.100.7');
    expect(Math.abs(new Date(row.expires).getTime() - (Date.now() + 3723_000))).toBeLessThan(10_000);

    const me = await browser.get('/protected');
    expect(me.body).toEqual({ username: 'alice', session: login.body.session });

    browser.forwardedFor = '198.51.100.99'; // same AS: the binding holds and last_ip moves
    expect((await browser.get('/protected')).status).toBe(200);
    // The host keeps the default: session activity is written behind; flush it to look.
    await app.get(SessionActivityWriter).flush();
    expect((await db.query('SELECT last_ip FROM sessions WHERE uuid = $1', [login.body.session])).rows[0].last_ip).toBe(
      '198.51.100.99',
    );

    const out = await browser.post('/logout', {});
    expect(out.body).toEqual({ ended: true });
    expect((await browser.get('/protected')).status).toBe(401);
  });

  it('terminates a session that moves to another AS: 401 for APIs, 302 for browsers, one logout event', async () => {
    for (const accept of ['application/json', 'text/html']) {
      const browser = new Browser(app.getHttpServer());
      browser.forwardedFor = '198.51.100.7';
      const login = await browser.post('/login', {
        username: 'alice',
        password: 'alice-password',
        stage: 'host-login',
      });
      browser.forwardedFor = '203.0.113.5';
      const moved = await browser.get('/protected?x=1', { Accept: accept });
      if (accept === 'text/html') {
        expect(moved.status).toBe(302);
        expect(moved.headers.location).toBe(
          `/flows/-/default/authentication/?next=${encodeURIComponent('/protected?x=1')}&reason=binding_broken`,
        );
      } else {
        expect(moved.status).toBe(401);
        expect(moved.body).toEqual({ detail: 'Session binding broken', code: 'session_binding_broken' });
      }
      expect(setCookieLine(moved, 'host_session')).toMatch(/Max-Age=0/i);
      expect((await db.query('SELECT 1 FROM sessions WHERE uuid = $1', [login.body.session])).rowCount).toBe(0);
      const events = await db.query(
        `SELECT context, client_ip FROM events WHERE action = 'logout' AND context->>'session_uuid' = $1`,
        [login.body.session],
      );
      expect(events.rowCount).toBe(1);
      expect(events.rows[0].client_ip).toBe('203.0.113.5');
      expect(events.rows[0].context.binding).toEqual({
        reason: 'network.asn',
        previous_value: 64500,
        new_value: 64501,
      });
    }
  });
});
