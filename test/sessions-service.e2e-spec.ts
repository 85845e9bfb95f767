// SessionsService as a host app calls it directly (it is public API), where the HTTP API's own
// checks do not stand in front of it: an ordering the API would refuse, and the device binding
// it loads with one session.
import { hashToken } from '@idp/core';
import { SessionsService } from '@idp/user-login';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionRepository } from '../libs/user-login/src/persistence/session.repository.js';
import { createUser } from './support/admin-api.js';
import { Browser, login } from './support/http.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const PASSWORD = 'sessions-service-password';

describe('SessionsService for a host app (Fastify, real Postgres)', () => {
  let server: TestServer;
  let sessions: SessionsService;

  beforeAll(async () => {
    server = await startTestServer();
    sessions = server.app.get(SessionsService);
  });
  afterAll(async () => {
    await server?.close();
  });

  async function signedIn(username: string): Promise<string> {
    const browser = new Browser(server.http);
    expect((await login(browser, username, PASSWORD)).body.component).toBe('xak-flow-redirect');
    const { rows } = await server.db.query('SELECT uuid FROM sessions WHERE token_hash = $1', [
      hashToken(browser.cookie('idp_session')!),
    ]);
    return rows[0].uuid;
  }

  it('lists newest first for an ordering it does not know, as for none', async () => {
    const userPk = await createUser(server, 'orderless', PASSWORD);
    const uuids = [await signedIn('orderless'), await signedIn('orderless'), await signedIn('orderless')];
    // Distinct last_used times, oldest first, so the order does not depend on login timing.
    for (const [i, uuid] of uuids.entries()) {
      await server.db.query(`UPDATE sessions SET last_used = now() - make_interval(mins => $2) WHERE uuid = $1`, [
        uuid,
        10 - i,
      ]);
    }
    const newestFirst = uuids.toReversed();
    for (const ordering of [undefined, '-last_used', 'no_such_column']) {
      const [rows, count] = await sessions.list({ userPk, ordering, offset: 0, limit: 10 });
      expect(count).toBe(3);
      expect(rows.map((row) => row.uuid)).toEqual(newestFirst);
    }
    const [oldestFirst] = await sessions.list({ userPk, ordering: 'last_used', offset: 0, limit: 10 });
    expect(oldestFirst.map((row) => row.uuid)).toEqual(uuids);
  });

  it("findLive loads the session's device binding with it", async () => {
    await createUser(server, 'bound-device', PASSWORD);
    const bound = await signedIn('bound-device');
    const unbound = await signedIn('bound-device');
    const publicKey = { kty: 'EC', crv: 'P-256', x: 'x-coordinate', y: 'y-coordinate' };
    await server.db.query(
      `INSERT INTO session_device_bindings (session_uuid, algorithm, public_key, bound_at) VALUES ($1, 'ES256', $2, now())`,
      [bound, JSON.stringify(publicKey)],
    );

    const found = await sessions.findLive(bound);
    expect(found?.deviceBinding).toMatchObject({ algorithm: 'ES256', publicKey });
    expect(found?.user.username).toBe('bound-device');
    expect((await sessions.findLive(unbound))?.deviceBinding).toBeNull();
  });

  it('writeActivity writes the user agent and expiry it is given, and leaves the references it is not given', async () => {
    await createUser(server, 'activity', PASSWORD);
    const uuid = await signedIn('activity');
    await server.db.query(
      `UPDATE sessions SET network_reference_ip = '198.51.100.7', geoip_reference_ip = '198.51.100.8' WHERE uuid = $1`,
      [uuid],
    );
    const expires = new Date(Date.now() + 7 * 86_400_000);
    await server.app.get(SessionRepository).writeActivity([{ uuid, lastUserAgent: 'Later Browser/2.0', expires }]);
    const { rows } = await server.db.query(
      'SELECT last_user_agent, expires, network_reference_ip, geoip_reference_ip FROM sessions WHERE uuid = $1',
      [uuid],
    );
    expect(rows[0]).toEqual({
      last_user_agent: 'Later Browser/2.0',
      expires,
      network_reference_ip: '198.51.100.7',
      geoip_reference_ip: '198.51.100.8',
    });
  });
});
