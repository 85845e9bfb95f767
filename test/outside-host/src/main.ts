// Boots the host app, runs the packages' migrations, then walks one scenario over real HTTP and
// prints each step; exits non-zero at the first step that does not answer as expected.
import 'reflect-metadata';
import { hashPassword, Stage, UserRepository } from '@idp/core';
import { TerminateSessionsService, UserLoginStage } from '@idp/user-login';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module.js';

function expectStatus(step: string, actual: number, expected: number): void {
  console.log(`${step} -> ${actual}`);
  if (actual !== expected) throw new Error(`${step}: expected ${expected}, got ${actual}`);
}

const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
try {
  const dataSource = app.get(DataSource);
  const ran = await dataSource.runMigrations({ transaction: 'each' });
  console.log(`migrations: ${ran.map((migration) => migration.name).join(', ')}`);

  const user = await app
    .get(UserRepository)
    .create({ username: 'olive', email: 'olive@example.test', password: await hashPassword('olive-password') });
  const stage = await dataSource.getRepository(Stage).save({ name: 'outside-login', type: 'user_login' });
  await dataSource.getRepository(UserLoginStage).save({ stageUuid: stage.stageUuid, sessionDuration: 'hours=1' });

  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const post = (path: string, body: unknown) =>
    fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  expectStatus('GET /me without a cookie', (await fetch(`${base}/me`)).status, 401);
  const login = await post('/login', { username: 'olive', password: 'olive-password', stage: 'outside-login' });
  expectStatus('POST /login', login.status, 200);
  const { session } = (await login.json()) as { session: string };
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
  console.log(`session cookie: ${cookie.split('=')[0]}`);

  const me = await fetch(`${base}/me`, { headers: { cookie } });
  expectStatus('GET /me with the session cookie', me.status, 200);
  console.log(`GET /me body: ${JSON.stringify(await me.json())}`);

  const revoked = await app.get(TerminateSessionsService).revoke(session, { user });
  console.log(`revoked: ${revoked}`);
  expectStatus('GET /me after revocation', (await fetch(`${base}/me`, { headers: { cookie } })).status, 401);
  console.log('outside host: ok');
} finally {
  await app.close();
}
