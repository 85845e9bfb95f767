import { CLOCK, EventService, GeoIpService, User, type HttpRequestLike, type HttpResponseLike } from '@idp/core';
import { Test } from '@nestjs/testing';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DeviceBoundSessionService } from './devices/device-bound-session.service.js';
import { IpFactsService } from './ip-facts.service.js';
import { Session } from './persistence/session.entity.js';
import { SessionRepository, type ActiveSession } from './persistence/session.repository.js';
import { SessionAuthService } from './session-auth.service.js';
import { SessionActivityWriter } from './session-cache/session-activity.writer.js';
import { SessionCache } from './session-cache/session-cache.js';
import { SessionLookup } from './session-cache/session-lookup.js';
import { SessionCookieService } from './session-cookie.service.js';
import { TerminateSessionsService } from './terminate-sessions.service.js';
import { resolveUserLoginOptions, USER_LOGIN_OPTIONS } from './user-login-options.interface.js';
import { UserLoginObservers } from './user-login.observers.js';

// The session check under the second-round stage options: log mode's single event, idle renewal.
const NOW = new Date('2026-01-01T12:00:00Z');
const at = (ms: number) => new Date(NOW.getTime() + ms);

function activeSession(fields: Partial<Session> = {}): ActiveSession {
  const user = Object.assign(new User(), { pk: 7, username: 'alice', email: 'alice@example.test', isActive: true });
  const session = Object.assign(new Session(), {
    uuid: '00000000-0000-4000-8000-000000000001',
    userPk: 7,
    expires: at(3_600_000),
    browserSession: false,
    lastIp: '198.51.100.10',
    lastUserAgent: 'agent',
    lastUsed: at(-1_000),
    networkBinding: 'bind_asn',
    geoipBinding: 'no_binding',
    bindingMode: 'log',
    onMissingRecord: 'terminate',
    bindingExemptCidrs: [],
    ipv6Prefix: 128,
    networkReferenceIp: null,
    geoipReferenceIp: null,
    idleTimeoutMs: 0,
    idleExpires: null,
    ...fields,
  });
  return { session, user };
}

const asnByPrefix: Record<string, { asn: number; as_org: string; network: string }> = {
  '198.51.100.': { asn: 64500, as_org: 'A', network: '198.51.100.0/24' },
  '203.0.113.': { asn: 64501, as_org: 'B', network: '203.0.113.0/24' },
};

const requestFrom = (ip: string): HttpRequestLike => ({
  method: 'GET',
  url: '/api/v3/core/users/me/',
  ip,
  headers: { 'user-agent': 'agent', cookie: 'idp_session=t' },
});

describe('SessionAuthService with the stage options', () => {
  let sut: SessionAuthService;
  let found: ActiveSession;
  const sessions = { findActiveByTokenHash: vi.fn(), writeActivity: vi.fn(), moveTo: vi.fn() };
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
  let now = NOW;

  beforeEach(async () => {
    vi.clearAllMocks();
    now = NOW;
    found = activeSession();
    sessions.findActiveByTokenHash.mockImplementation(async () => found);
    cookies.read.mockReturnValue('t'.repeat(43));
    const moduleRef = await Test.createTestingModule({
      providers: [
        SessionAuthService,
        IpFactsService,
        SessionLookup,
        SessionActivityWriter,
        { provide: SessionCache, useValue: new SessionCache() },
        { provide: SessionRepository, useValue: sessions },
        { provide: SessionCookieService, useValue: cookies },
        { provide: EventService, useValue: events },
        { provide: TerminateSessionsService, useValue: terminator },
        // Unbound sessions only here: the DBSC check has its own e2e suite (test/dbsc.e2e-spec.ts).
        { provide: DeviceBoundSessionService, useValue: { requireProof: async () => undefined } },
        { provide: GeoIpService, useValue: geoip },
        { provide: CLOCK, useValue: { now: () => now } },
        { provide: USER_LOGIN_OPTIONS, useValue: resolveUserLoginOptions({}) },
        UserLoginObservers,
      ],
    }).compile();
    sut = moduleRef.get(SessionAuthService);
  });

  it('log mode: the request whose conditional move matched writes the one violation event', async () => {
    sessions.moveTo.mockResolvedValue(true);
    await expect(sut.authenticate(requestFrom('203.0.113.5'), response)).resolves.toBe(found);
    expect(sessions.moveTo).toHaveBeenCalledWith(
      found.session.uuid,
      '203.0.113.5',
      expect.objectContaining({ lastIp: '203.0.113.5' }),
    );
    expect(events.record).toHaveBeenCalledTimes(1);
    expect(events.record.mock.calls[0][0]).toMatchObject({
      action: 'session_binding_violation',
      context: { binding: { reason: 'network.asn' }, ip: { previous: '198.51.100.10', new: '203.0.113.5' } },
    });
    expect(terminator.end).not.toHaveBeenCalled();
  });

  it('log mode: a request that lost the race (another already moved the session) writes no event', async () => {
    sessions.moveTo.mockResolvedValue(false);
    await expect(sut.authenticate(requestFrom('203.0.113.5'), response)).resolves.toBe(found);
    expect(events.record).not.toHaveBeenCalled();
    expect(terminator.end).not.toHaveBeenCalled();
  });

  it('idle timeout: renewed by use at most once a minute (or per half a shorter timeout)', async () => {
    found = activeSession({ idleTimeoutMs: 1_800_000, idleExpires: at(1_800_000), lastUsed: NOW });
    now = at(59_000);
    await sut.authenticate(requestFrom('198.51.100.10'), response);
    expect(sessions.writeActivity).not.toHaveBeenCalled();
    now = at(60_000);
    await sut.authenticate(requestFrom('198.51.100.10'), response);
    // A renewed idle expiry is written at once, whatever the write-behind delay.
    expect(sessions.writeActivity).toHaveBeenCalledWith([
      expect.objectContaining({ uuid: found.session.uuid, idleExpires: at(60_000 + 1_800_000) }),
    ]);

    vi.clearAllMocks();
    found = activeSession({ idleTimeoutMs: 20_000, idleExpires: at(20_000), lastUsed: NOW });
    now = at(9_000);
    await sut.authenticate(requestFrom('198.51.100.10'), response);
    expect(sessions.writeActivity).not.toHaveBeenCalled();
    now = at(10_000);
    await sut.authenticate(requestFrom('198.51.100.10'), response);
    expect(sessions.writeActivity).toHaveBeenCalledWith([{ uuid: found.session.uuid, idleExpires: at(30_000) }]);
  });
});
