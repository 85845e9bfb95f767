import request from 'supertest';
import { expect } from 'vitest';
import { ADMIN_TOKEN, type TestServer } from './test-server.js';

/** The bootstrap admin token as a header. */
export const adminAuth = () => ({ Authorization: `Bearer ${ADMIN_TOKEN}` });

/** Creates a user through the admin API and returns its pk. */
export async function createUser(server: TestServer, username: string, password: string): Promise<number> {
  const created = await request(server.http)
    .post('/api/v3/core/users/')
    .set(adminAuth())
    .send({ username, password, email: `${username}@example.test` });
  expect(created.status).toBe(201);
  return created.body.pk;
}

/** The pk of the default authentication flow's login stage. */
export async function defaultLoginStagePk(server: TestServer): Promise<string> {
  const list = await request(server.http)
    .get('/api/v3/stages/user_login/?name=default-authentication-login')
    .set(adminAuth());
  expect(list.status).toBe(200);
  return list.body.results.find((stage: { name: string }) => stage.name === 'default-authentication-login').pk;
}

/** Changes the default login stage through the admin API and returns the stage as stored. */
export async function patchDefaultLoginStage(server: TestServer, fields: Record<string, unknown>) {
  const pk = await defaultLoginStagePk(server);
  const patched = await request(server.http).patch(`/api/v3/stages/user_login/${pk}/`).set(adminAuth()).send(fields);
  expect(patched.status).toBe(200);
  return patched.body;
}
