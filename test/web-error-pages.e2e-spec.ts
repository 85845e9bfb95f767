import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.js';
import type { HttpAdapterName } from '../apps/identity-server/src/create-app.js';

/**
 * Browser-facing paths answer errors with the UI's HTML pages, on both adapters; API paths and
 * fetch calls keep their JSON. The login page's `reason` passes only as a known code.
 */
describe.each<HttpAdapterName>(['fastify', 'express'])('web error pages and sign-out reasons (%s)', (adapter) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ adapter });
  });
  afterAll(async () => {
    await server?.close();
  });

  const html = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

  it('answers an unknown page with the HTML 404 page, with a title and a language', async () => {
    for (const path of ['/if/nothing-here/', '/no/such/page', '/if/static/missing.js']) {
      const answer = await request(server.http).get(path).set('Accept', html);
      expect(answer.status, path).toBe(404);
      expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(answer.headers['content-security-policy']).toContain("default-src 'self'");
      expect(answer.text).toContain('<html lang="en">');
      expect(answer.text).toContain('<title>Not found</title>');
    }
  });

  it('keeps JSON for API paths and for requests that do not ask for HTML', async () => {
    const api = await request(server.http).get('/api/v3/no-such-route/').set('Accept', html);
    expect(api.status).toBe(404);
    expect(api.headers['content-type']).toMatch(/^application\/json/);
    const health = await request(server.http).get('/-/nothing/').set('Accept', html);
    expect(health.headers['content-type']).toMatch(/^application\/json/);
    const fetchLike = await request(server.http).get('/if/nothing-here/').set('Accept', 'application/json');
    expect(fetchLike.status).toBe(404);
    expect(fetchLike.headers['content-type']).toMatch(/^application\/json/);
    // A form post is not a page view: it keeps the JSON answer too.
    const post = await request(server.http).post('/if/nothing-here/').set('Accept', html);
    expect(post.headers['content-type']).toMatch(/^application\/json/);
  });

  it('passes only known reason codes on to the login page', async () => {
    const known = await request(server.http).get('/flows/-/default/authentication/?next=/if/user/&reason=expired');
    expect(known.headers.location).toBe('/if/flow/default-authentication-flow/?next=%2Fif%2Fuser%2F&reason=expired');
    for (const reason of ['<script>alert(1)</script>', 'Your bank says hi', 'EXPIRED', '']) {
      const unknown = await request(server.http).get(
        `/flows/-/default/authentication/?reason=${encodeURIComponent(reason)}`,
      );
      expect(unknown.headers.location).toBe('/if/flow/default-authentication-flow/');
    }
  });

  it('says "ended" when a page is opened with a cookie whose session is gone', async () => {
    const stale = await request(server.http)
      .get('/if/user/')
      .set('Accept', html)
      .set('Cookie', `${server.config.sessionCookieName}=${'x'.repeat(43)}`);
    expect(stale.status).toBe(302);
    expect(stale.headers.location).toBe('/flows/-/default/authentication/?next=%2Fif%2Fuser%2F&reason=ended');
    const none = await request(server.http).get('/if/user/').set('Accept', html);
    expect(none.headers.location).toBe('/flows/-/default/authentication/?next=%2Fif%2Fuser%2F');
  });
});
