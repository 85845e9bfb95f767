import { hashPassword } from '@idp/core';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AppModule } from '../apps/example-host/src/app.module.js';
import { createHttpAdapter } from '../apps/example-host/src/http-adapter.js';

describe('apps/example-host: UserLoginModule.forRootAsync with @nestjs/config, a global guard and @Public()', () => {
  let app: INestApplication;
  let db: pg.Client;
  const schema = `e2e_example_${randomBytes(5).toString('hex')}`;
  const saved = { ...process.env };

  beforeAll(async () => {
    const url = inject('databaseUrl');
    db = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
    await db.connect();
    await db.query(`CREATE SCHEMA ${schema}`);
    // The app reads its configuration through ConfigService, as a real deployment would.
    Object.assign(process.env, { DATABASE_URL: url, DATABASE_SCHEMA: schema, SESSION_COOKIE_NAME: 'example_session' });
    const fastify = await NestFactory.create<NestFastifyApplication>(AppModule, createHttpAdapter(), {
      logger: ['error'],
    });
    app = await fastify.init();
    await fastify.getHttpAdapter().getInstance().ready();
    await db.query(`INSERT INTO users (username, email, password) VALUES ('erin', 'erin@example.test', $1)`, [
      await hashPassword('erin-password'),
    ]);
    const [stage] = (
      await db.query(`INSERT INTO stages (name, type) VALUES ('example-login', 'user_login') RETURNING stage_uuid`)
    ).rows;
    await db.query(`INSERT INTO user_login_stages (stage_uuid, session_duration) VALUES ($1, 'hours=2')`, [
      stage.stage_uuid,
    ]);
  });

  afterAll(async () => {
    process.env = saved;
    await app?.close();
    await db?.query(`DROP SCHEMA ${schema} CASCADE`);
    await db?.end();
  });

  it('signs in through UserLoginStageService, guards routes globally and per route, and signs out', async () => {
    const http = app.getHttpServer();
    expect((await request(http).get('/hello')).status).toBe(200);
    expect((await request(http).get('/me')).status).toBe(401);
    expect((await request(http).get('/settings')).status).toBe(401);
    const wrong = await request(http)
      .post('/login')
      .send({ username: 'erin', password: 'nope', stage: 'example-login' });
    expect(wrong.status).toBe(401);

    const login = await request(http)
      .post('/login')
      .send({ username: 'erin', password: 'erin-password', stage: 'example-login' });
    expect(login.status).toBe(200);
    const cookie = String(login.headers['set-cookie']).split(';')[0];
    expect(cookie).toMatch(/^example_session=/);
    expect(String(login.headers['set-cookie'])).toMatch(/Max-Age=7200/);

    const me = await request(http).get('/me').set('Cookie', cookie);
    expect(me.body).toEqual({ username: 'erin', session: login.body.session });
    expect((await request(http).get('/settings').set('Cookie', cookie)).body).toEqual({ username: 'erin' });

    expect((await request(http).post('/logout').set('Cookie', cookie)).body).toEqual({ ended: true });
    expect((await request(http).get('/me').set('Cookie', cookie)).status).toBe(401);
  });

  it('signs in through the stage named in the request; a stage name that does not exist signs no one in', async () => {
    const [short] = (
      await db.query(`INSERT INTO stages (name, type) VALUES ('example-short', 'user_login') RETURNING stage_uuid`)
    ).rows;
    await db.query(`INSERT INTO user_login_stages (stage_uuid, session_duration) VALUES ($1, 'minutes=30')`, [
      short.stage_uuid,
    ]);
    const http = app.getHttpServer();
    const login = (stage: string) =>
      request(http).post('/login').send({ username: 'erin', password: 'erin-password', stage });

    const viaShort = await login('example-short');
    expect(viaShort.status).toBe(200);
    expect(String(viaShort.headers['set-cookie'])).toMatch(/Max-Age=1800/);
    const viaDefault = await login('example-login');
    expect(String(viaDefault.headers['set-cookie'])).toMatch(/Max-Age=7200/);

    const unknown = await login('no-such-stage');
    expect(unknown.status).toBe(401);
    expect(unknown.headers['set-cookie']).toBeUndefined();
  });

  it("the module's own DBSC refresh route is not shut by the host's global guard", async () => {
    // The browser calls it when its bound cookie has expired, i.e. exactly when the session check
    // would refuse the request; the route proves the device by its key instead.
    const sessionId = '00000000-0000-4000-8000-00000000abcd';
    const refresh = await request(app.getHttpServer())
      .post('/api/v3/sessions/dbsc/refresh/')
      .set('Sec-Secure-Session-Id', sessionId);
    expect(refresh.status).toBe(200);
    expect(refresh.body).toEqual({ session_identifier: sessionId, continue: false });
  });
});
