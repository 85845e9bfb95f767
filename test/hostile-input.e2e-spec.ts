import { UserRepository } from '@idp/core';
import { Logger } from '@nestjs/common';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { adminAuth } from './support/admin-api.js';
import { Browser } from './support/http.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const AUTH_FLOW = '/api/v3/flows/executor/default-authentication-flow/';

/** The seven inputs that used to end in a 500 (issue 12), each now a 4xx before PostgreSQL sees it. */
describe('hostile input', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  const sessions = async () => Number((await server.db.query('SELECT count(*) AS n FROM sessions')).rows[0].n);

  async function identify(uid: string) {
    const browser = new Browser(server.http);
    await browser.get(AUTH_FLOW);
    // Raw JSON, so the lone surrogate travels as the escape "\ud800" exactly as an attacker sends it.
    return browser.post(AUTH_FLOW, `{"component":"ak-stage-identification","uid_field":${JSON.stringify(uid)}}`, {
      'Content-Type': 'application/json',
    });
  }

  it.each([
    ['a NUL', 'akadmin\u0000'],
    ['a lone high surrogate', '\ud800'],
    ['a lone low surrogate', 'a\udc00b'],
  ])('refuses %s in uid_field with 400 naming the field', async (_name, uid) => {
    const before = await sessions();
    const answer = await identify(uid);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ uid_field: ['NUL characters and unpaired UTF-16 surrogates are not allowed.'] });
    expect(await sessions()).toBe(before);
  });

  it('refuses a NUL in a flow slug with 400', async () => {
    const answer = await request(server.http).get('/api/v3/flows/executor/x%00/');
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('invalid_characters');
  });

  it.each([
    '/api/v3/core/authenticated_sessions/?search=a%00b',
    '/api/v3/core/authenticated_sessions/?user__username=%00',
    '/api/v3/core/authenticated_sessions/?last_ip=127.0.0.1%00',
    '/api/v3/events/events/?username=akadmin%00',
    '/api/v3/events/events/?action=login%00',
    '/api/v3/core/users/?search=%00',
  ])('refuses a NUL in the list filter %s with 400', async (path) => {
    const answer = await request(server.http).get(path).set(adminAuth());
    expect(answer.status).toBe(400);
    expect(Object.values(answer.body)).toEqual([['NUL characters and unpaired UTF-16 surrogates are not allowed.']]);
  });

  it.each(['99999999999999999999', '1e21', '1e308', '2147483648', '0x10', '-1', 'Infinity'])(
    'refuses page=%s with 400',
    async (page) => {
      for (const path of ['/api/v3/core/authenticated_sessions/', '/api/v3/events/events/', '/api/v3/core/users/']) {
        const answer = await request(server.http).get(`${path}?page=${page}`).set(adminAuth());
        expect(answer.status).toBe(400);
        expect(answer.body).toEqual({ page: ['A valid integer >= 1 is required.'] });
      }
    },
  );

  it('still serves the last accepted page (empty)', async () => {
    const answer = await request(server.http).get('/api/v3/events/events/?page=2147483647').set(adminAuth());
    expect(answer.status).toBe(200);
    expect(answer.body.results).toEqual([]);
  });

  it.each([
    ['2147483648', 404],
    ['99999999999999999999', 404],
    ['0', 404],
    ['-1', 404],
    ['1e3', 400],
    ['abc', 400],
  ])('answers user pk %s with %i', async (pk, status) => {
    const answer = await request(server.http).get(`/api/v3/core/users/${pk}/`).set(adminAuth());
    expect(answer.status).toBe(status);
  });

  it('logs a 500 once, with its request id and without the error message (which may hold values)', async () => {
    const users = server.app.get(UserRepository);
    const failure = Object.assign(new Error('invalid input: "secret-parameter-value"'), {
      name: 'QueryFailedError',
      driverError: { code: '22P02' },
    });
    const lookup = vi.spyOn(users, 'findByPk').mockRejectedValueOnce(failure);
    const errors = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const answer = await request(server.http).get('/api/v3/core/users/1/?q=another-secret').set(adminAuth());
      expect(answer.status).toBe(500);
      expect(answer.body).toEqual({
        detail: 'Internal server error',
        code: 'internal_error',
        request_id: expect.any(String),
      });
      expect(errors).toHaveBeenCalledTimes(1);
      const logged = errors.mock.calls[0].map(String).join('\n');
      expect(logged).toContain(`reqId=${answer.body.request_id}`);
      expect(logged).toContain('GET /api/v3/core/users/:pk');
      expect(logged).toContain('QueryFailedError (22P02)');
      expect(logged).not.toContain('secret');
    } finally {
      lookup.mockRestore();
      errors.mockRestore();
    }
  });

  it('answers 503 database_unavailable with Retry-After when the database cannot be reached, and logs nothing', async () => {
    const users = server.app.get(UserRepository);
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const lookup = vi.spyOn(users, 'findByPk').mockRejectedValueOnce(refused);
    const errors = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const answer = await request(server.http).get('/api/v3/core/users/1/').set(adminAuth());
      expect(answer.status).toBe(503);
      expect(answer.body).toEqual({ detail: 'Service temporarily unavailable', code: 'database_unavailable' });
      expect(answer.headers['retry-after']).toBe('5');
      expect(errors).not.toHaveBeenCalled();
    } finally {
      lookup.mockRestore();
      errors.mockRestore();
    }
  });
});
