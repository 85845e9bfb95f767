import type { HttpRequestLike, HttpResponseLike } from '@idp/core';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { DeletedSession } from './persistence/session.repository.js';
import { SessionTerminationHooks, type SessionTerminated } from './session-termination.events.js';
import { TerminateSessionsService } from './terminate-sessions.service.js';

// The rows a DELETE ... RETURNING hands back; the database side is covered by the e2e suites.
const ALICE: DeletedSession = {
  uuid: '00000000-0000-4000-8000-000000000001',
  userPk: 7,
  username: 'alice',
  email: 'a@x.test',
};
const BOB: DeletedSession = {
  uuid: '00000000-0000-4000-8000-000000000002',
  userPk: 8,
  username: 'bob',
  email: 'b@x.test',
};

function requestFrom(ip: string): HttpRequestLike {
  return {
    ip,
    method: 'DELETE',
    url: '/api/v3/x/?token=secret',
    headers: { 'user-agent': 'agent' },
  } as HttpRequestLike;
}

describe('TerminateSessionsService: one event and one hook per ended session', () => {
  const sessions = { deleteByUuid: vi.fn(), deleteAllOfUsers: vi.fn() };
  const events = { record: vi.fn() };
  const cache = { invalidateSessions: vi.fn() };
  const activity = { forget: vi.fn() };
  const cookies = { clear: vi.fn() };
  let heard: SessionTerminated[];
  let order: string[];
  let sut: TerminateSessionsService;

  beforeEach(() => {
    vi.clearAllMocks();
    heard = [];
    order = [];
    events.record.mockImplementation(async () => void order.push('event'));
    const hooks = new SessionTerminationHooks();
    hooks.subscribe((event) => {
      heard.push(event);
      order.push('hook');
    });
    sut = new TerminateSessionsService(
      sessions as never,
      hooks,
      events as never,
      cache as never,
      activity as never,
      cookies as never,
    );
  });

  it('end: the logout event names the owner, the reason, the request and the extra context; then the hook', async () => {
    sessions.deleteByUuid.mockResolvedValue(ALICE);
    const request = requestFrom('203.0.113.5');
    const ended = await sut.end(ALICE.uuid, {
      reason: 'binding_broken',
      request,
      context: { binding: { reason: 'network.asn' } },
    });
    expect(ended).toBe(true);
    expect(events.record).toHaveBeenCalledTimes(1);
    expect(events.record.mock.calls[0][0]).toEqual({
      action: 'logout',
      app: 'idp.user_login',
      user: { pk: 7, username: 'alice', email: 'a@x.test' },
      clientIp: '203.0.113.5',
      context: {
        binding: { reason: 'network.asn' },
        http_request: { args: { token: '********' }, path: '/api/v3/x/', method: 'DELETE', user_agent: 'agent' },
        logout_reason: 'Session binding broken',
        session_uuid: ALICE.uuid,
      },
    });
    expect(heard).toEqual([{ sessionUuid: ALICE.uuid, userPk: 7, reason: 'binding_broken' }]);
    expect(order).toEqual(['event', 'hook']);
    expect(cache.invalidateSessions).toHaveBeenCalledWith([ALICE.uuid]);
  });

  it.each([
    ['logout', 'User logged out'],
    ['device_proof_failed', 'Device proof failed'],
    ['session_limit', 'Session limit reached'],
  ] as const)('end with %s writes logout_reason "%s"', async (reason, logoutReason) => {
    sessions.deleteByUuid.mockResolvedValue(ALICE);
    await sut.end(ALICE.uuid, { reason, request: requestFrom('198.51.100.1') });
    expect(events.record.mock.calls[0][0].context.logout_reason).toBe(logoutReason);
    expect(heard.map((event) => event.reason)).toEqual([reason]);
  });

  it('end of a session another request already deleted: false, no event, no hook', async () => {
    sessions.deleteByUuid.mockResolvedValue(null);
    expect(await sut.end(ALICE.uuid, { reason: 'binding_broken', request: requestFrom('203.0.113.5') })).toBe(false);
    expect(events.record).not.toHaveBeenCalled();
    expect(heard).toEqual([]);
  });

  it('ended with terminate_other_sessions: hooks only (the login event lists those sessions)', async () => {
    await sut.ended([ALICE], { reason: 'terminate_other_sessions' });
    expect(events.record).not.toHaveBeenCalled();
    expect(heard).toEqual([{ sessionUuid: ALICE.uuid, userPk: 7, reason: 'terminate_other_sessions' }]);
  });

  it('revokeAllOf by an admin: each session its own reason, revoked_by, and the cookie cleared when the own current one ended', async () => {
    sessions.deleteAllOfUsers.mockResolvedValue([ALICE, BOB]);
    const request = requestFrom('192.0.2.1');
    const response = {} as HttpResponseLike;
    const admin = { pk: 7, username: 'alice', email: 'a@x.test' };
    const count = await sut.revokeAllOf([7, 8], { user: admin, request, response, currentSessionUuid: ALICE.uuid });
    expect(count).toBe(2);
    expect(
      events.record.mock.calls.map(([event]) => [event.user.pk, event.context.logout_reason, event.context.revoked_by]),
    ).toEqual([
      [7, 'Session revoked by its user', admin],
      [8, 'Session revoked by an administrator', admin],
    ]);
    expect(heard.map((event) => event.reason)).toEqual(['revoked_by_user', 'revoked_by_admin']);
    expect(order).toEqual(['event', 'event', 'hook', 'hook']);
    expect(cookies.clear).toHaveBeenCalledWith(request, response);
  });

  it('revokeAllOf keeping the current session, or without a request: no event IP, no cookie cleared', async () => {
    sessions.deleteAllOfUsers.mockResolvedValue([BOB]);
    await sut.revokeAllOf(
      [7, 8],
      { user: { pk: 7, username: 'alice', email: 'a@x.test' }, currentSessionUuid: ALICE.uuid },
      ALICE.uuid,
    );
    expect(events.record.mock.calls[0][0].clientIp).toBeNull();
    expect(events.record.mock.calls[0][0].context).not.toHaveProperty('http_request');
    expect(cookies.clear).not.toHaveBeenCalled();
  });
});
