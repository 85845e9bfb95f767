import {
  CLOCK,
  clientIp,
  EventService,
  hashToken,
  httpRequestContext,
  toEventUser,
  userAgent,
  type Clock,
  type HttpRequestLike,
  type HttpResponseLike,
} from '@idp/core';
import { Inject, Injectable } from '@nestjs/common';
import { checkBinding, shouldRenewBrowserSession, type IpFacts } from './domain/index.js';
import { IpFactsService } from './ip-facts.service.js';
import { SessionRepository, type ActiveSession } from './persistence/session.repository.js';
import { NotAuthenticatedException, SessionBindingBrokenException } from './session-binding.exception.js';
import { SessionCookieService } from './session-cookie.service.js';
import { TerminateSessionsService } from './terminate-sessions.service.js';
import { USER_LOGIN_OPTIONS, type ResolvedUserLoginOptions } from './user-login-options.interface.js';

// last_used is a hint for people, not a security control: one write a minute per session is plenty.
const TOUCH_INTERVAL_MS = 60_000;

/**
 * Authenticates a request by its session cookie and enforces the session's binding.
 * The common case (same IP, recently used) costs one indexed SELECT, no write and no GeoIP
 * lookup; a new IP that keeps the binding adds the lookups its levels need and one UPDATE.
 */
@Injectable()
export class SessionAuthService {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly cookies: SessionCookieService,
    private readonly ipFacts: IpFactsService,
    private readonly events: EventService,
    private readonly terminator: TerminateSessionsService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(USER_LOGIN_OPTIONS) private readonly options: ResolvedUserLoginOptions,
  ) {}

  /** The request's session, or null when it has no usable cookie. */
  async find(request: HttpRequestLike): Promise<ActiveSession | null> {
    const token = this.cookies.read(request);
    // A token is 43 base64url characters; anything else cannot match and skips the query.
    if (!token || token.length > 128) return null;
    const found = await this.sessions.findActiveByTokenHash(hashToken(token), this.clock.now());
    return found && found.user.isActive ? found : null;
  }

  /**
   * The request's session after the binding check.
   * @throws NotAuthenticatedException when there is no valid session
   * @throws SessionBindingBrokenException when the client left the bound network or location
   */
  async authenticate(request: HttpRequestLike, response: HttpResponseLike): Promise<ActiveSession> {
    const found = await this.find(request);
    if (!found) throw new NotAuthenticatedException();
    const ip = clientIp(request);
    const now = this.clock.now();
    if (ip !== found.session.lastIp) await this.enforceBinding(request, response, found, ip);
    await this.touch(found, ip, request, now);
    return found;
  }

  // Only the databases the session's levels read are consulted: an unbound session moving
  // between IPs costs no lookup, a network-only binding no City lookup.
  private async enforceBinding(
    request: HttpRequestLike,
    response: HttpResponseLike,
    found: ActiveSession,
    ip: string,
  ): Promise<void> {
    const levels = { network: found.session.networkBinding, geoip: found.session.geoipBinding };
    const needs = this.ipFacts.needsFor(levels);
    if (!needs.asn && !needs.city) return;
    const previous = this.ipFacts.facts(found.session.lastIp, needs);
    const current = this.ipFacts.facts(ip, needs);
    const verdict = checkBinding(levels, previous, current);
    if (verdict.broken) {
      await this.terminateBroken(request, response, found, previous, this.ipFacts.complete(current, needs), verdict);
    }
  }

  private async touch(found: ActiveSession, ip: string, request: HttpRequestLike, now: Date): Promise<void> {
    const { session } = found;
    const changes: Parameters<SessionRepository['touch']>[1] = {};
    if (ip !== session.lastIp) changes.lastIp = ip;
    if (now.getTime() - session.lastUsed.getTime() >= TOUCH_INTERVAL_MS || changes.lastIp) {
      changes.lastUsed = now;
      const agent = userAgent(request);
      if (agent !== session.lastUserAgent) changes.lastUserAgent = agent;
    }
    const idle = this.options.browserSessionIdleMs;
    if (session.browserSession && shouldRenewBrowserSession({ expires: session.expires, now, browserIdleMs: idle })) {
      changes.expires = new Date(now.getTime() + idle);
    }
    if (Object.keys(changes).length === 0) return;
    await this.sessions.touch(session.uuid, changes);
    Object.assign(session, changes);
  }

  private async terminateBroken(
    request: HttpRequestLike,
    response: HttpResponseLike,
    found: ActiveSession,
    previous: IpFacts,
    current: IpFacts,
    verdict: { reason: string; previous_value: unknown; new_value: unknown },
  ): Promise<never> {
    // Parallel requests all see the same broken session; only the one whose DELETE removed
    // the row writes the event (and fires the hook), so each says it exactly once.
    if (await this.terminator.terminate(found.session.uuid, 'binding_broken')) {
      await this.events.record({
        action: 'logout',
        app: 'idp.user_login',
        user: toEventUser(found.user),
        clientIp: current.ip,
        context: {
          ...this.ipFacts.eventContext(current),
          binding: { reason: verdict.reason, previous_value: verdict.previous_value, new_value: verdict.new_value },
          ip: { previous: previous.ip, new: current.ip },
          http_request: httpRequestContext(request),
          logout_reason: 'Session binding broken',
          session_uuid: found.session.uuid,
        },
      });
    }
    this.cookies.clear(request, response);
    throw new SessionBindingBrokenException(this.loginUrl(request));
  }

  // Only the path and query go into `next`: an absolute-form request target must not turn the
  // login page into a redirect to another host.
  private loginUrl(request: HttpRequestLike): string {
    let next = '/';
    try {
      const url = new URL(request.originalUrl ?? request.url ?? '/', 'http://same.origin');
      if (url.origin === 'http://same.origin') next = `${url.pathname}${url.search}`;
    } catch {
      // an unparsable target has no page worth returning to
    }
    return `${this.options.loginPath}?next=${encodeURIComponent(next)}`;
  }
}
