import { CLOCK, EventService, GeoIpService, User, type HttpRequestLike, type HttpResponseLike } from '@idp/core';
import { Test } from '@nestjs/testing';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { IpFactsService } from './ip-facts.service.js';
import { Session } from './persistence/session.entity.js';
import { SessionRepository, type ActiveSession } from './persistence/session.repository.js';
import { DeviceBoundSessionService } from './devices/device-bound-session.service.js';
import { SessionAuthService } from './session-auth.service.js';
import { SessionActivityWriter } from './session-cache/session-activity.writer.js';
import { SessionCache } from './session-cache/session-cache.js';
import { SessionLookup } from './session-cache/session-lookup.js';
import { NotAuthenticatedException, SessionBindingBrokenException } from './session-binding.exception.js';
import { SessionCookieService } from './session-cookie.service.js';
import { TerminateSessionsService } from './terminate-sessions.service.js';
import { resolveUserLoginOptions, USER_LOGIN_OPTIONS } from './user-login-options.interface.js';
import { UserLoginObservers, type BindingBreak, type BindingCheckResult } from './user-login.observers.js';

const NOW = new Date('2026-01-01T12:00:00Z');

function activeSession(fields: Partial<Session> = {}): ActiveSession {
  const user = Object.assign(new User(), { pk: 7, username: 'alice', email: 'alice@example.test', isActive: true });
  const session = Object.assign(new Session(), {
    uuid: '00000000-0000-4000-8000-000000000001',
    userPk: 7,
    expires: new Date(NOW.getTime() + 3_600_000),
    browserSession: false,
    lastIp: '198.51.100.10',
    lastUserAgent: 'agent',
    lastUsed: new Date(NOW.getTime() - 1_000),
    networkBinding: 'bind_asn',
    geoipBinding: 'no_binding',
    ...fields,
  });
  return { session, user };
}

const asnByPrefix: Record<string, { asn: number; as_org: string; network: string }> = {
  '198.51.100.': { asn: 64500, as_org: 'A', network: '198.51.100.0/24' },
  '203.0.113.': { asn: 64501, as_org: 'B', network: '203.0.113.0/24' },
};

const requestFrom = (ip: string, url = '/api/v3/core/users/me/'): HttpRequestLike => ({
  method: 'GET',
  url,
  ip,
  headers: { 'user-agent': 'agent', cookie: 'idp_session=t' },
});

describe('SessionAuthService', () => {
  let sut: SessionAuthService;
  let found: ActiveSession | null;
  const sessions = { findActiveByTokenHash: vi.fn(), writeActivity: vi.fn() };
  const cookies = { read: vi.fn(), clear: vi.fn() };
  const events = { record: vi.fn() };
  const terminator = { end: vi.fn() };
  const geoip = {
    asn: vi.fn((ip: string) => {
      const hit = Object.entries(asnByPrefix).find(([prefix]) => ip.startsWith(prefix));
      return hit ? { context: hit[1] } : null;
    }),
    city: vi.fn(() => null),
    // As IpFactsService asks: the answer and its network, here every address a network of its own.
    asnRegion(ip: string) {
      return { value: this.asn(ip), prefix: ip.includes(':') ? 128 : 32 };
    },
    cityRegion(ip: string) {
      return { value: this.city(), prefix: ip.includes(':') ? 128 : 32 };
    },
  };
  const response = {} as HttpResponseLike;
  let checks: BindingCheckResult[];
  let breaks: BindingBreak[];
  let cache: SessionCache;
  beforeEach(async () => {
    cache = new SessionCache();
    vi.clearAllMocks();
    checks = [];
    breaks = [];
    found = activeSession();
    sessions.findActiveByTokenHash.mockImplementation(async () => found);
    cookies.read.mockReturnValue('t'.repeat(43));
    terminator.end.mockResolvedValue(true);
    const moduleRef = await Test.createTestingModule({
      providers: [
        SessionAuthService,
        IpFactsService,
        SessionLookup,
        SessionActivityWriter,
        // Off, as while the invalidation listener is down: every call reads the repository.
        { provide: SessionCache, useValue: cache },
        { provide: SessionRepository, useValue: sessions },
        { provide: SessionCookieService, useValue: cookies },
        { provide: EventService, useValue: events },
        { provide: TerminateSessionsService, useValue: terminator },
        // Unbound sessions only here: the DBSC check has its own e2e suite (test/dbsc.e2e-spec.ts).
        { provide: DeviceBoundSessionService, useValue: { requireProof: async () => undefined } },
        { provide: GeoIpService, useValue: geoip },
        { provide: CLOCK, useValue: { now: () => NOW } },
        { provide: USER_LOGIN_OPTIONS, useValue: resolveUserLoginOptions({ activityFlushMs: 0 }) },
        UserLoginObservers,
      ],
    }).compile();
    sut = moduleRef.get(SessionAuthService);
    moduleRef.get(UserLoginObservers).add({
      bindingChecked: (result) => checks.push(result),
      bindingBroken: (event) => breaks.push(event),
    });
  });

  it('authenticateNow: a promise while the session is read from the database, the session itself once cached', async () => {
    cache.setActive(true);
    const first = sut.authenticateNow(requestFrom('198.51.100.10'), response);
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toBe(found);
    // Cached, same IP, nothing to write: answered without a promise, so the guard answers a plain true.
    expect(sut.authenticateNow(requestFrom('198.51.100.10'), response)).toBe(found);
    expect(sessions.findActiveByTokenHash).toHaveBeenCalledTimes(1);
    // Refusals are thrown at once on that path too.
    cookies.read.mockReturnValue(undefined);
    expect(() => sut.authenticateNow(requestFrom('198.51.100.10'), response)).toThrow(NotAuthenticatedException);
  });

  it('same IP, recently used: the one lookup by token hash, no write, no GeoIP lookup', async () => {
    await expect(sut.authenticate(requestFrom('198.51.100.10'), response)).resolves.toBe(found);
    expect(sessions.findActiveByTokenHash).toHaveBeenCalledTimes(1);
    expect(sessions.writeActivity).not.toHaveBeenCalled();
    expect(geoip.asn).not.toHaveBeenCalled();
    expect(geoip.city).not.toHaveBeenCalled();
  });

  it('no cookie, or one far longer than a token: no lookup at all', async () => {
    for (const value of [undefined, '', 't'.repeat(129)]) {
      cookies.read.mockReturnValue(value);
      await expect(sut.find(requestFrom('198.51.100.10'))).resolves.toBeNull();
    }
    expect(sessions.findActiveByTokenHash).not.toHaveBeenCalled();
    // 128 characters is the longest cookie still looked up.
    cookies.read.mockReturnValue('t'.repeat(128));
    await sut.find(requestFrom('198.51.100.10'));
    expect(sessions.findActiveByTokenHash).toHaveBeenCalledTimes(1);
  });

  it('same IP, last used a minute ago: one write of last_used, and of the user agent when it changed', async () => {
    found = activeSession({ lastUsed: new Date(NOW.getTime() - 60_000) });
    await sut.authenticate({ ...requestFrom('198.51.100.10'), headers: { 'user-agent': 'agent/2' } }, response);
    expect(sessions.writeActivity).toHaveBeenCalledTimes(1);
    expect(sessions.writeActivity).toHaveBeenCalledWith([
      expect.objectContaining({ uuid: found!.session.uuid, lastUsed: NOW, lastUserAgent: 'agent/2' }),
    ]);
    expect(sessions.writeActivity.mock.calls[0][0][0]).not.toHaveProperty('lastIp');
  });

  it('a new IP the binding allows: only the ASN lookups the level needs, then one write moving last_ip', async () => {
    await expect(sut.authenticate(requestFrom('198.51.100.99'), response)).resolves.toBe(found);
    expect(geoip.asn.mock.calls).toEqual([['198.51.100.10'], ['198.51.100.99']]);
    expect(geoip.city).not.toHaveBeenCalled();
    expect(sessions.writeActivity).toHaveBeenCalledTimes(1);
    expect(sessions.writeActivity).toHaveBeenCalledWith([
      expect.objectContaining({ uuid: found!.session.uuid, lastIp: '198.51.100.99', lastUsed: NOW }),
    ]);
  });

  it('no session: NotAuthenticatedException', async () => {
    found = null;
    await expect(sut.authenticate(requestFrom('198.51.100.10'), response)).rejects.toBeInstanceOf(
      NotAuthenticatedException,
    );
  });

  it('a broken binding: ended through TerminateSessionsService with the reason, the request and what broke', async () => {
    const request = requestFrom('203.0.113.5');
    await expect(sut.authenticate(request, response)).rejects.toBeInstanceOf(SessionBindingBrokenException);
    expect(terminator.end).toHaveBeenCalledTimes(1);
    expect(terminator.end).toHaveBeenCalledWith(found!.session.uuid, {
      reason: 'binding_broken',
      request,
      context: expect.objectContaining({
        binding: expect.objectContaining({ reason: 'network.asn' }),
        ip: { previous: '198.51.100.10', new: '203.0.113.5' },
        session_uuid: found!.session.uuid,
      }),
    });
    // The logout event is the terminator's to write, once, for the request whose DELETE won.
    expect(events.record).not.toHaveBeenCalled();
    expect(cookies.clear).toHaveBeenCalledTimes(1);
  });

  it('a broken binding whose row another request already deleted: rejected and the cookie cleared, but no second event', async () => {
    terminator.end.mockResolvedValue(false);
    await expect(sut.authenticate(requestFrom('203.0.113.5'), response)).rejects.toBeInstanceOf(
      SessionBindingBrokenException,
    );
    expect(events.record).not.toHaveBeenCalled();
    expect(cookies.clear).toHaveBeenCalledTimes(1);
    expect(sessions.writeActivity).not.toHaveBeenCalled();
  });

  it.each([
    ['/api/v3/core/users/me/?tab=2', '/api/v3/core/users/me/?tab=2'],
    // An absolute-form request target must not make the login page send the browser elsewhere.
    ['http://evil.example/steal?x=1', '/'],
    ['//evil.example/steal', '/'],
  ])('sends the browser back to %s as next=%s', async (target, next) => {
    const error = await sut.authenticate(requestFrom('203.0.113.5', target), response).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionBindingBrokenException);
    expect((error as SessionBindingBrokenException).loginUrl).toBe(
      `/flows/-/default/authentication/?next=${encodeURIComponent(next)}`,
    );
  });

  describe('tells its observers', () => {
    it('same IP: one same_ip check', async () => {
      await sut.authenticate(requestFrom('198.51.100.10'), response);
      expect(checks).toEqual(['same_ip']);
      expect(breaks).toEqual([]);
    });

    it('a new IP in the bound AS: one kept check', async () => {
      await sut.authenticate(requestFrom('198.51.100.99'), response);
      expect(checks).toEqual(['kept']);
    });

    it('a new IP on an unbound session: one unbound check, no lookup', async () => {
      found = activeSession({ networkBinding: 'no_binding' });
      await sut.authenticate(requestFrom('203.0.113.5'), response);
      expect(checks).toEqual(['unbound']);
    });

    it('a broken binding: a broken check and one break with its reason, session, user and IPs', async () => {
      found!.user.uuid = '00000000-0000-4000-8000-0000000000aa';
      await sut.authenticate(requestFrom('203.0.113.5'), response).catch(() => undefined);
      expect(checks).toEqual(['broken']);
      expect(breaks).toEqual([
        {
          reason: 'network.asn',
          sessionUuid: found!.session.uuid,
          userUuid: '00000000-0000-4000-8000-0000000000aa',
          previousIp: '198.51.100.10',
          newIp: '203.0.113.5',
        },
      ]);
    });

    it('a break another request already terminated: counted as a check, not as a second break', async () => {
      terminator.end.mockResolvedValue(false);
      await sut.authenticate(requestFrom('203.0.113.5'), response).catch(() => undefined);
      expect(checks).toEqual(['broken']);
      expect(breaks).toEqual([]);
    });

    it('an observer that throws does not fail the request', async () => {
      const observers = (sut as unknown as { observers: UserLoginObservers }).observers;
      observers.add({
        bindingChecked: () => {
          throw new Error('boom');
        },
      });
      await expect(sut.authenticate(requestFrom('198.51.100.10'), response)).resolves.toBe(found);
    });
  });
});
