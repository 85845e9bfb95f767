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
import { DeviceBoundSessionService } from './devices/device-bound-session.service.js';
import {
  DEFAULT_BINDING_POLICY,
  evaluateBinding,
  idleExpiresAt,
  shouldRenewBrowserSession,
  shouldRenewIdle,
  storedReference,
  type BindingOutcome,
  type BindingPolicy,
  type BindingReferences,
} from './domain/index.js';
import { IpFactsService, type IpFactsNeeds } from './ip-facts.service.js';
import type { Session } from './persistence/session.entity.js';
import { SessionRepository, type ActiveSession, type SessionTouch } from './persistence/session.repository.js';
import { SessionActivityWriter } from './session-cache/session-activity.writer.js';
import { SessionLookup } from './session-cache/session-lookup.js';
import { NotAuthenticatedException, SessionBindingBrokenException } from './session-binding.exception.js';
import { SessionCookieService } from './session-cookie.service.js';
import { TerminateSessionsService } from './terminate-sessions.service.js';
import { USER_LOGIN_OPTIONS, type ResolvedUserLoginOptions } from './user-login-options.interface.js';
import { UserLoginObservers, type BindingCheckResult } from './user-login.observers.js';

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
    private readonly lookup: SessionLookup,
    private readonly sessions: SessionRepository,
    private readonly activity: SessionActivityWriter,
    private readonly cookies: SessionCookieService,
    private readonly ipFacts: IpFactsService,
    private readonly events: EventService,
    private readonly terminator: TerminateSessionsService,
    private readonly deviceBound: DeviceBoundSessionService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(USER_LOGIN_OPTIONS) private readonly options: ResolvedUserLoginOptions,
    private readonly observers: UserLoginObservers,
  ) {}

  /** The request's session, or null when it has no usable cookie. */
  async find(request: HttpRequestLike): Promise<ActiveSession | null> {
    return this.lookupSession(request, this.clock.now());
  }

  /** Whether the request carries a session cookie at all (valid or not). */
  hasSessionCookie(request: HttpRequestLike): boolean {
    return this.cookies.read(request) !== undefined;
  }

  /**
   * The request's session after the binding check.
   * @throws NotAuthenticatedException when there is no valid session
   * @throws SessionBindingBrokenException when the client left the bound network or location
   * @throws DeviceProofRequiredException when a device-bound session comes without its bound cookie
   */
  async authenticate(request: HttpRequestLike, response: HttpResponseLike): Promise<ActiveSession> {
    return this.authenticateNow(request, response);
  }

  /**
   * {@link authenticate}, answered without a promise when nothing has to wait (a cached session,
   * the same IP, nothing to write now), which is the common case: {@link SessionBindingGuard}
   * calls it on every request, and Nest does not await a guard that answers a boolean. Throws
   * (or rejects) with the same exceptions.
   */
  authenticateNow(request: HttpRequestLike, response: HttpResponseLike): ActiveSession | Promise<ActiveSession> {
    // Each step answers without a promise in the common case; each await costs microseconds.
    const now = this.clock.now();
    const found = this.lookupSession(request, now);
    if (found instanceof Promise) return found.then((value) => this.checkFound(request, response, value, now));
    return this.checkFound(request, response, found, now);
  }

  private checkFound(
    request: HttpRequestLike,
    response: HttpResponseLike,
    found: ActiveSession | null,
    now: Date,
  ): ActiveSession | Promise<ActiveSession> {
    if (!found) throw new NotAuthenticatedException();
    // A copied session cookie is useless without the device's bound cookie (DBSC).
    if (found.deviceBinding) {
      return this.deviceBound.requireProof(request, found).then(() => this.checkBinding(request, response, found, now));
    }
    return this.checkBinding(request, response, found, now);
  }

  private checkBinding(
    request: HttpRequestLike,
    response: HttpResponseLike,
    found: ActiveSession,
    now: Date,
  ): ActiveSession | Promise<ActiveSession> {
    const ip = clientIp(request);
    const references = this.enforceBinding(request, response, found, ip);
    if (references instanceof Promise)
      return references.then((value) => this.recordUse(found, ip, request, now, value));
    return this.recordUse(found, ip, request, now, references);
  }

  private recordUse(
    found: ActiveSession,
    ip: string,
    request: HttpRequestLike,
    now: Date,
    references: SessionTouch,
  ): ActiveSession | Promise<ActiveSession> {
    const write = this.touch(found, ip, request, now, references);
    return write ? write.then(() => found) : found;
  }

  // The cache answers without a promise; only a miss reads the database. A token is 43
  // base64url characters; anything else cannot match and skips the lookup.
  private lookupSession(request: HttpRequestLike, now: Date): ActiveSession | null | Promise<ActiveSession | null> {
    const token = this.cookies.read(request);
    if (!token || token.length > 128) return null;
    const tokenHash = hashToken(token);
    const cached = this.lookup.cached(tokenHash, now);
    return cached ? usable(cached) : this.lookup.findActiveByTokenHash(tokenHash, now).then(usable);
  }

  // Only the databases the session's levels read are consulted: an unbound session moving
  // between IPs costs no lookup, a network-only binding no City lookup. Returns the reference
  // columns to write when they moved; a promise only when it writes (a break, a violation).
  private enforceBinding(
    request: HttpRequestLike,
    response: HttpResponseLike,
    found: ActiveSession,
    ip: string,
  ): SessionTouch | Promise<SessionTouch> {
    const { session } = found;
    // Same IP and no reference apart from it: the common case, decided without any lookup.
    if (ip === session.lastIp && session.networkReferenceIp == null && session.geoipReferenceIp == null) {
      return this.observed('same_ip', found, request);
    }
    const levels = { network: session.networkBinding, geoip: session.geoipBinding };
    const needs = this.ipFacts.needsFor(levels);
    if (!needs.asn && !needs.city) return this.observed('unbound', found, request);
    const outcome = evaluateBinding({
      levels,
      policy: policyOf(session),
      references: referencesOf(session),
      ip,
      lookup: (address) => this.ipFacts.facts(address, needs),
    });
    this.observers.bindingChecked(CHECK_RESULT[outcome.action], found, request);
    if (outcome.action === 'terminate') return this.terminateBroken(request, response, found, ip, needs, outcome);
    const changes = referenceChanges(session, outcome.references);
    if (outcome.action === 'record_violation') {
      return this.recordViolation(request, found, ip, needs, outcome, changes).then(() => changes);
    }
    return changes;
  }

  // A promise only when there is something to record.
  private touch(
    found: ActiveSession,
    ip: string,
    request: HttpRequestLike,
    now: Date,
    references: SessionTouch,
  ): Promise<void> | undefined {
    const { session } = found;
    const changes: SessionTouch = { ...references };
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
    const { idleTimeoutMs, idleExpires } = session;
    if (shouldRenewIdle({ idleExpires, now, idleTimeoutMs })) changes.idleExpires = idleExpiresAt(now, idleTimeoutMs);
    if (Object.keys(changes).length === 0) return undefined;
    // The session object may be the cached one: the next request compares with this IP.
    Object.assign(session, changes);
    return this.activity.record(session.uuid, changes);
  }

  /**
   * `binding_mode=log`: the session survives and follows the client. The move is written only if
   * `last_ip` is not this IP already, and only the request whose write matched records the
   * `session_binding_violation` event, so parallel requests (on any instance) report one move
   * once. (Not "only if `last_ip` is still what this request read": with the session cache and
   * `last_ip` written behind, what an instance read may be older than the row.)
   */
  private async recordViolation(
    request: HttpRequestLike,
    found: ActiveSession,
    ip: string,
    needs: IpFactsNeeds,
    outcome: Extract<BindingOutcome, { action: 'record_violation' }>,
    references: SessionTouch,
  ): Promise<void> {
    const { session } = found;
    const moved: SessionTouch = { ...references, lastIp: ip, lastUsed: this.clock.now() };
    if (await this.sessions.moveTo(session.uuid, ip, moved)) {
      this.observers.bindingViolated(outcome.verdict.reason, found, outcome.previousIp, ip, request);
      await this.events.record({
        action: 'session_binding_violation',
        app: 'idp.user_login',
        user: toEventUser(found.user),
        clientIp: ip,
        context: this.bindingContext(request, found, ip, needs, outcome),
      });
    }
    Object.assign(session, moved);
  }

  private async terminateBroken(
    request: HttpRequestLike,
    response: HttpResponseLike,
    found: ActiveSession,
    ip: string,
    needs: IpFactsNeeds,
    outcome: Extract<BindingOutcome, { action: 'terminate' }>,
  ): Promise<never> {
    // Parallel requests all see the same broken session; only the one whose DELETE removed
    // the row writes the event (and fires the hook), so each says it exactly once.
    const context = this.bindingContext(request, found, ip, needs, outcome);
    if (await this.terminator.end(found.session.uuid, { reason: 'binding_broken', request, context })) {
      this.observers.bindingBroken(outcome.verdict.reason, found, outcome.previousIp, ip, request);
    }
    this.cookies.clear(request, response);
    throw new SessionBindingBrokenException(this.loginUrl(request));
  }

  /** The event context of a broken binding (docs/api.md, Events), without `logout_reason`. */
  private bindingContext(
    request: HttpRequestLike,
    found: ActiveSession,
    ip: string,
    needs: IpFactsNeeds,
    outcome: Extract<BindingOutcome, { action: 'terminate' | 'record_violation' }>,
  ): Record<string, unknown> {
    const { verdict } = outcome;
    return {
      ...this.ipFacts.eventContext(this.ipFacts.complete(this.ipFacts.facts(ip, needs), needs)),
      binding: { reason: verdict.reason, previous_value: verdict.previous_value, new_value: verdict.new_value },
      ip: { previous: outcome.previousIp, new: ip },
      http_request: httpRequestContext(request),
      session_uuid: found.session.uuid,
    };
  }

  private observed(result: BindingCheckResult, found: ActiveSession, request: HttpRequestLike): SessionTouch {
    this.observers.bindingChecked(result, found, request);
    return {};
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

// A deactivated user's sessions stop working at once, whatever deleted them or did not.
function usable(found: ActiveSession | null | undefined): ActiveSession | null {
  return found && found.user.isActive ? found : null;
}

const CHECK_RESULT: Record<BindingOutcome['action'], BindingCheckResult> = {
  pass: 'kept',
  terminate: 'broken',
  record_violation: 'violation',
};

// A session object built without the newer columns (an older row shape, a cache) reads as the defaults.
function policyOf(session: Session): BindingPolicy {
  return {
    mode: session.bindingMode ?? DEFAULT_BINDING_POLICY.mode,
    onMissingRecord: session.onMissingRecord ?? DEFAULT_BINDING_POLICY.onMissingRecord,
    exemptCidrs: session.bindingExemptCidrs ?? DEFAULT_BINDING_POLICY.exemptCidrs,
    ipv6Prefix: session.ipv6Prefix ?? DEFAULT_BINDING_POLICY.ipv6Prefix,
  };
}

function referencesOf(session: Session): BindingReferences {
  const lastIp = session.lastIp;
  return { lastIp, networkIp: session.networkReferenceIp ?? lastIp, geoipIp: session.geoipReferenceIp ?? lastIp };
}

// Only the reference columns whose stored value changes are written.
function referenceChanges(session: Session, next: BindingReferences): SessionTouch {
  const changes: SessionTouch = {};
  const network = storedReference(next.networkIp, next.lastIp);
  const geoip = storedReference(next.geoipIp, next.lastIp);
  if (network !== (session.networkReferenceIp ?? null)) changes.networkReferenceIp = network;
  if (geoip !== (session.geoipReferenceIp ?? null)) changes.geoipReferenceIp = geoip;
  return changes;
}
