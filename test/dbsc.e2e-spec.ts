import { SessionTerminationHooks, type SessionTerminated } from '@idp/user-login';
// Internal (not part of the module's API), called directly where a race is shown.
import { SessionDeviceBindingRepository } from '../libs/user-login/src/persistence/session-device-binding.repository.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DbscDevice } from './support/dbsc-device.js';
import { Browser, setCookieLine } from './support/http.js';
import { createUser, patchDefaultLoginStage } from './support/admin-api.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const REGISTER = '/api/v3/sessions/dbsc/register/';
const REFRESH = '/api/v3/sessions/dbsc/refresh/';
const ME = '/api/v3/core/users/me/';
const PASSWORD = 'a-long-enough-passphrase';
const BOUND = '__Host-idp_bound';
// Behind a trusted proxy that terminated TLS, as the identity server usually runs.
const HTTPS = { 'X-Forwarded-Proto': 'https', Host: 'idp.example.test' };
const REGISTRATION = /^\(ES256 RS256\);path="\/api\/v3\/sessions\/dbsc\/register\/";challenge="([A-Za-z0-9_-]{43})"$/;
const CHALLENGE = /^"([A-Za-z0-9_-]{43})";id="([0-9a-f-]{36})"$/;

describe('Device Bound Session Credentials over HTTP (Fastify, real Postgres)', () => {
  let server: TestServer;
  const heard: SessionTerminated[] = [];
  let unsubscribe: () => void;
  let user = 0;

  /** A new user signed in over HTTPS through the default flow; returns the browser and the login answer. */
  async function signIn(headers: Record<string, string> = HTTPS) {
    const username = `dbsc-${++user}`;
    await createUser(server, username, PASSWORD);
    const browser = new Browser(server.http);
    const path = '/api/v3/flows/executor/default-authentication-flow/';
    await browser.get(path, headers);
    await browser.post(path, { component: 'ak-stage-identification', uid_field: username }, headers);
    const answer = await browser.post(path, { component: 'ak-stage-password', password: PASSWORD }, headers);
    expect(answer.body.component).toBe('xak-flow-redirect');
    return { browser, answer, username };
  }

  async function sessionUuidOf(username: string): Promise<string> {
    const rows = await server.db.query(
      'SELECT s.uuid FROM sessions s JOIN users u ON u.pk = s.user_pk WHERE u.username = $1',
      [username],
    );
    expect(rows.rows).toHaveLength(1);
    return rows.rows[0].uuid;
  }

  /** Signs in and registers a key; returns what the tests need. */
  async function boundSession(device = new DbscDevice('ES256')) {
    const { browser, answer, username } = await signIn();
    const challenge = REGISTRATION.exec(answer.headers['secure-session-registration'])![1];
    const registered = await browser.post(REGISTER, undefined, {
      ...HTTPS,
      'Secure-Session-Response': device.registration(challenge),
    });
    expect(registered.status).toBe(200);
    // The first request that shows the bound cookie ends the just-bound grace.
    expect((await browser.get(ME, HTTPS)).status).toBe(200);
    return { browser, device, username, uuid: await sessionUuidOf(username), registered };
  }

  async function events(action: string, sessionUuid: string) {
    return (
      await server.db.query(
        `SELECT "user", app, context FROM events WHERE action = $1 AND context->>'session_uuid' = $2`,
        [action, sessionUuid],
      )
    ).rows;
  }

  /** A refresh as Chrome sends it after a restart: no cookies, only the session id and maybe a proof. */
  function refresh(sessionUuid: string, proof?: string) {
    const anonymous = new Browser(server.http);
    return anonymous.post(REFRESH, undefined, {
      ...HTTPS,
      'Sec-Secure-Session-Id': sessionUuid,
      ...(proof ? { 'Secure-Session-Response': proof } : {}),
    });
  }

  async function challengeFor(sessionUuid: string): Promise<string> {
    const asked = await refresh(sessionUuid);
    expect(asked.status).toBe(403);
    // The challenge travels in its header alone; no answer of the refresh endpoint may be cached.
    expect(asked.text).toBe('');
    expect(asked.headers['cache-control']).toBe('no-store');
    const [, challenge, id] = CHALLENGE.exec(asked.headers['secure-session-challenge'])!;
    expect(id).toBe(sessionUuid);
    return challenge;
  }

  beforeAll(async () => {
    server = await startTestServer();
    unsubscribe = server.app.get(SessionTerminationHooks).subscribe((event) => void heard.push(event));
  });
  beforeEach(async () => {
    await patchDefaultLoginStage(server, { device_bound_sessions: 'prefer' });
  });
  afterEach(() => {
    heard.length = 0;
  });
  afterAll(async () => {
    unsubscribe?.();
    await server?.close();
  });

  describe('registration', () => {
    it('a login through a prefer stage over HTTPS offers registration; the session is not bound yet', async () => {
      const { browser, answer, username } = await signIn();
      expect(answer.headers['secure-session-registration']).toMatch(REGISTRATION);
      const uuid = await sessionUuidOf(username);
      const row = await server.db.query(
        'SELECT challenge, public_key FROM session_device_bindings WHERE session_uuid = $1',
        [uuid],
      );
      expect(row.rows[0].public_key).toBeNull();
      expect(row.rows[0].challenge).toBe(REGISTRATION.exec(answer.headers['secure-session-registration'])![1]);
      expect((await browser.get(ME, HTTPS)).status).toBe(200);
    });

    it('offers nothing over plain HTTP, nor through a stage left at off', async () => {
      expect((await signIn({})).answer.headers['secure-session-registration']).toBeUndefined();
      await patchDefaultLoginStage(server, { device_bound_sessions: 'off' });
      expect((await signIn()).answer.headers['secure-session-registration']).toBeUndefined();
    });

    for (const algorithm of ['ES256', 'RS256'] as const) {
      it(`binds a ${algorithm} key: session instructions, a __Host- bound cookie, an event, device_bound in the API`, async () => {
        const { browser, uuid, registered, username } = await boundSession(new DbscDevice(algorithm));
        const line = setCookieLine(registered, BOUND)!;
        expect(line).toMatch(
          /^__Host-idp_bound=[A-Za-z0-9_-]{43}; Max-Age=600; Path=\/; Expires=.+; HttpOnly; Secure; SameSite=Lax$/,
        );
        expect(registered.body).toEqual({
          session_identifier: uuid,
          refresh_url: REFRESH,
          scope: { origin: 'https://idp.example.test', include_site: false, scope_specification: [] },
          credentials: [{ type: 'cookie', name: BOUND, attributes: 'Path=/; Secure; HttpOnly; SameSite=Lax' }],
        });
        // Every attribute of the credential is on the Set-Cookie line (Chrome compares them).
        for (const attribute of registered.body.credentials[0].attributes.split('; '))
          expect(line).toContain(attribute);
        const stored = await server.db.query(
          'SELECT algorithm, public_key, bound_cookie_hash FROM session_device_bindings WHERE session_uuid = $1',
          [uuid],
        );
        expect(stored.rows[0].algorithm).toBe(algorithm);
        expect(stored.rows[0].public_key).not.toHaveProperty('d');
        expect(stored.rows[0].bound_cookie_hash).not.toContain(browser.cookie(BOUND));
        const [event] = await events('session_device_bound', uuid);
        expect(event.user.username).toBe(username);
        expect(event.app).toBe('idp.user_login');
        expect(event.context.algorithm).toBe(algorithm);
        const listed = await browser.get('/api/v3/core/authenticated_sessions/', HTTPS);
        expect(listed.body.results.find((s: { uuid: string }) => s.uuid === uuid).device_bound).toBe(true);
        expect((await browser.get(ME, HTTPS)).status).toBe(200);
      });
    }

    it('refuses a used challenge, another challenge and a malformed proof', async () => {
      const { browser, answer } = await signIn();
      const challenge = REGISTRATION.exec(answer.headers['secure-session-registration'])![1];
      const device = new DbscDevice();
      const malformed = await browser.post(REGISTER, undefined, { ...HTTPS, 'Secure-Session-Response': 'not-a-jwt' });
      expect(malformed.status).toBe(400);
      expect(malformed.body.code).toBe('invalid_device_proof');
      // The detail says what was wrong with the proof.
      expect(malformed.body.detail).toMatch(/^Invalid device proof: \S/);
      const missing = await browser.post(REGISTER, undefined, HTTPS);
      expect(missing.status).toBe(400);
      expect(missing.body.code).toBe('invalid_device_proof');
      const wrong = await browser.post(REGISTER, undefined, {
        ...HTTPS,
        'Secure-Session-Response': device.registration('x'.repeat(43)),
      });
      expect(wrong.status).toBe(403);
      expect(wrong.body).toEqual({
        detail: 'Unknown, used or expired registration challenge',
        code: 'invalid_challenge',
      });
      const first = await browser.post(REGISTER, undefined, {
        ...HTTPS,
        'Secure-Session-Response': device.registration(challenge),
      });
      expect(first.status).toBe(200);
      const again = await browser.post(REGISTER, undefined, {
        ...HTTPS,
        'Secure-Session-Response': new DbscDevice().registration(challenge),
      });
      expect(again.status).toBe(403);
    });

    it('refuses a registration challenge after its five minutes', async () => {
      const { browser, answer } = await signIn();
      const challenge = REGISTRATION.exec(answer.headers['secure-session-registration'])![1];
      server.clock.advance(5 * 60_000 + 1000);
      const late = await browser.post(REGISTER, undefined, {
        ...HTTPS,
        'Secure-Session-Response': new DbscDevice().registration(challenge),
      });
      expect(late.status).toBe(403);
    });

    it('registration needs the session cookie', async () => {
      const anonymous = new Browser(server.http);
      const answer = await anonymous.post(REGISTER, undefined, {
        ...HTTPS,
        'Secure-Session-Response': new DbscDevice().registration('c'),
      });
      expect(answer.status).toBe(401);
    });
  });

  describe('the bound cookie on every request', () => {
    it('a bound session without its bound cookie gets 401 device_proof_required and is kept', async () => {
      const { browser, uuid } = await boundSession();
      browser.setCookie(BOUND, undefined);
      const refused = await browser.get(ME, HTTPS);
      expect(refused.status).toBe(401);
      expect(refused.body).toEqual({ detail: 'Device proof required', code: 'device_proof_required' });
      expect((await server.db.query('SELECT 1 FROM sessions WHERE uuid = $1', [uuid])).rowCount).toBe(1);
    });

    it('a copied session cookie alone is refused, with a wrong bound cookie too', async () => {
      const { browser } = await boundSession();
      const thief = new Browser(server.http);
      const session = browser.cookieHeader.split('; ').find((pair) => pair.includes('idp_session='))!;
      const [name, value] = session.split('=');
      thief.setCookie(name, value);
      expect((await thief.get(ME, HTTPS)).body.code).toBe('device_proof_required');
      thief.setCookie(BOUND, 'A'.repeat(43));
      expect((await thief.get(ME, HTTPS)).body.code).toBe('device_proof_required');
    });

    it('records session_device_proof_missing at most once a minute per session', async () => {
      const { browser, uuid } = await boundSession();
      browser.setCookie(BOUND, undefined);
      await browser.get(ME, HTTPS);
      await browser.get(ME, HTTPS);
      const missing = await events('session_device_proof_missing', uuid);
      expect(missing).toHaveLength(1);
      expect(missing[0].app).toBe('idp.user_login');
      server.clock.advance(61_000);
      await browser.get(ME, HTTPS);
      expect(await events('session_device_proof_missing', uuid)).toHaveLength(2);
    });

    it('right after binding, a request without any bound cookie passes until the cookie was shown once, never after 10 s', async () => {
      const early = await signIn();
      const challenge = REGISTRATION.exec(early.answer.headers['secure-session-registration'])![1];
      const device = new DbscDevice();
      await early.browser.post(REGISTER, undefined, {
        ...HTTPS,
        'Secure-Session-Response': device.registration(challenge),
      });
      const bound = early.browser.cookie(BOUND)!;
      early.browser.setCookie(BOUND, undefined);
      // A navigation Chrome sent before the registration answer arrived: no bound cookie yet.
      expect((await early.browser.get(ME, HTTPS)).status).toBe(200);
      early.browser.setCookie(BOUND, 'W'.repeat(43));
      expect((await early.browser.get(ME, HTTPS)).body.code).toBe('device_proof_required');
      early.browser.setCookie(BOUND, bound);
      expect((await early.browser.get(ME, HTTPS)).status).toBe(200);
      early.browser.setCookie(BOUND, undefined);
      expect((await early.browser.get(ME, HTTPS)).body.code).toBe('device_proof_required');

      const late = await signIn();
      const lateChallenge = REGISTRATION.exec(late.answer.headers['secure-session-registration'])![1];
      await late.browser.post(REGISTER, undefined, {
        ...HTTPS,
        'Secure-Session-Response': device.registration(lateChallenge),
      });
      late.browser.setCookie(BOUND, undefined);
      server.clock.advance(10_001);
      expect((await late.browser.get(ME, HTTPS)).body.code).toBe('device_proof_required');
    });

    it('an expired bound cookie no longer counts, even if the browser still sends it', async () => {
      const { browser } = await boundSession();
      expect((await browser.get(ME, HTTPS)).status).toBe(200);
      server.clock.advance(10 * 60_000 + 1000);
      expect((await browser.get(ME, HTTPS)).body.code).toBe('device_proof_required');
    });

    it('sessions that never bound are unaffected: no bound cookie needed, refresh says continue false', async () => {
      await patchDefaultLoginStage(server, { device_bound_sessions: 'off' });
      const { browser, username } = await signIn();
      expect((await browser.get(ME, HTTPS)).status).toBe(200);
      const uuid = await sessionUuidOf(username);
      const answer = await refresh(uuid);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ session_identifier: uuid, continue: false });
    });
  });

  describe('refresh', () => {
    it('challenge, then a proof by the key without cookies: a new bound cookie and the same instructions', async () => {
      const { browser, device, uuid, registered } = await boundSession();
      const oldBound = browser.cookie(BOUND)!;
      const challenge = await challengeFor(uuid);
      const refreshed = await refresh(uuid, device.refresh(challenge));
      expect(refreshed.status).toBe(200);
      expect(refreshed.body).toEqual(registered.body);
      expect(refreshed.headers['cache-control']).toBe('no-store');
      const newBound = setCookieLine(refreshed, BOUND)!.split(';')[0].split('=')[1];
      expect(newBound).not.toBe(oldBound);
      browser.setCookie(BOUND, newBound);
      expect((await browser.get(ME, HTTPS)).status).toBe(200);
      // The replaced cookie still serves requests that were on their way, for 30 s at most.
      browser.setCookie(BOUND, oldBound);
      expect((await browser.get(ME, HTTPS)).status).toBe(200);
      server.clock.advance(30_001);
      expect((await browser.get(ME, HTTPS)).body.code).toBe('device_proof_required');
      browser.setCookie(BOUND, newBound);
      expect((await browser.get(ME, HTTPS)).status).toBe(200);
    });

    it('keeps one outstanding challenge: asking twice gives the same one', async () => {
      const { uuid } = await boundSession();
      expect(await challengeFor(uuid)).toBe(await challengeFor(uuid));
    });

    it('a challenge asked for a session whose binding is gone meanwhile is the fresh one, not an error', async () => {
      // The refresh reads the binding, then asks for its challenge; a logout in between deletes the row.
      const bindings = server.app.get(SessionDeviceBindingRepository);
      const { uuid } = await boundSession();
      await server.db.query('DELETE FROM sessions WHERE uuid = $1', [uuid]);
      const now = new Date();
      expect(await bindings.currentChallenge(uuid, 'fresh-challenge', new Date(now.getTime() + 60_000), now)).toBe(
        'fresh-challenge',
      );
    });

    it('refuses a replayed proof and a challenge of another session, and asks again', async () => {
      const { device, uuid } = await boundSession();
      const other = await boundSession();
      const challenge = await challengeFor(uuid);
      const proof = device.refresh(challenge);
      expect((await refresh(uuid, proof)).status).toBe(200);
      const replay = await refresh(uuid, proof);
      expect(replay.status).toBe(403);
      expect(replay.headers['secure-session-challenge']).toMatch(CHALLENGE);
      const foreign = await refresh(uuid, device.refresh(await challengeFor(other.uuid)));
      expect(foreign.status).toBe(403);
      expect((await server.db.query('SELECT 1 FROM sessions WHERE uuid = $1', [uuid])).rowCount).toBe(1);
    });

    it('a proof signed by another key ends the session with a logout event, once', async () => {
      const { uuid, username } = await boundSession();
      const thief = new DbscDevice('ES256');
      const failed = await refresh(uuid, thief.refresh(await challengeFor(uuid)));
      expect(failed.status).toBe(401);
      expect(failed.body).toEqual({ detail: 'Device proof failed', code: 'device_proof_failed' });
      expect((await server.db.query('SELECT 1 FROM sessions WHERE uuid = $1', [uuid])).rowCount).toBe(0);
      const [logout] = await events('logout', uuid);
      expect(logout.user.username).toBe(username);
      expect(logout.context.logout_reason).toBe('Device proof failed');
      expect(heard).toEqual([expect.objectContaining({ sessionUuid: uuid, reason: 'device_proof_failed' })]);
      const after = await refresh(uuid, thief.refresh('whatever'));
      expect(after.body).toEqual({ session_identifier: uuid, continue: false });
    });

    it('says continue false for an ended session, an unknown id and a garbage id', async () => {
      const { browser, device, uuid } = await boundSession();
      const challenge = await challengeFor(uuid);
      const signedOut = await browser.post('/api/v3/flows/executor/default-invalidation-flow/', {}, HTTPS);
      expect(signedOut.status).toBeLessThan(500);
      await browser.get('/api/v3/flows/executor/default-invalidation-flow/', HTTPS);
      expect((await server.db.query('SELECT 1 FROM sessions WHERE uuid = $1', [uuid])).rowCount).toBe(0);
      expect((await refresh(uuid, device.refresh(challenge))).body).toEqual({
        session_identifier: uuid,
        continue: false,
      });
      const unknown = '00000000-0000-4000-8000-000000000000';
      expect((await refresh(unknown)).body).toEqual({ session_identifier: unknown, continue: false });
      expect((await refresh('../../etc')).body.continue).toBe(false);
    });
  });
});
