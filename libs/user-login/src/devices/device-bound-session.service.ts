import {
  CLOCK,
  clientIp,
  EventService,
  hashToken,
  httpRequestContext,
  newToken,
  toEventUser,
  type Clock,
  type HttpRequestLike,
  type HttpResponseLike,
} from '@idp/core';
import { BadRequestException, ForbiddenException, Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { timingSafeEqual } from 'node:crypto';
import {
  challengeHeader,
  DbscProofError,
  registrationHeader,
  sessionInstructions,
  verifyDbscProof,
  type DbscProof,
} from '../domain/dbsc-proof.js';
import {
  SessionDeviceBindingRepository,
  type BoundSessionState,
} from '../persistence/session-device-binding.repository.js';
import { SessionCache } from '../session-cache/session-cache.js';
import type { ActiveSession } from '../persistence/session.repository.js';
import { TerminateSessionsService } from '../terminate-sessions.service.js';
import { USER_LOGIN_OPTIONS, type ResolvedUserLoginOptions } from '../user-login-options.interface.js';
import {
  BOUND_COOKIE,
  deviceCookieAttributes,
  deviceCookieName,
  readDeviceCookie,
  writeDeviceCookie,
} from './device-cookies.js';
import { DeviceProofRequiredException } from './device-proof.exception.js';

/** Where browsers register a key and refresh the bound cookie (design section 12). */
export const DBSC_REGISTER_PATH = '/api/v3/sessions/dbsc/register/';
export const DBSC_REFRESH_PATH = '/api/v3/sessions/dbsc/refresh/';
// A challenge is answered within seconds by a browser; five minutes leaves room for slow ones.
const CHALLENGE_TTL_MS = 5 * 60_000;
// Chrome registers in the background while the page navigates on: requests already on their way
// when the key was bound carry no bound cookie yet. A request with no bound cookie at all is let
// through only until the browser has shown the cookie once, and never later than this after
// binding; a wrong cookie never is.
const REGISTRATION_GRACE_MS = 10_000;
// A refresh replaces the bound cookie while other requests of the same page may still carry the
// old one; it stays valid this long after its replacement (never past its own expiry).
const PREVIOUS_COOKIE_OVERLAP_MS = 30_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the refresh endpoint answers: a status, a JSON body (or none) and extra headers. */
export interface RefreshAnswer {
  status: 200 | 401 | 403;
  body?: object;
  headers?: Record<string, string>;
}

/**
 * Device Bound Session Credentials: a login through a `prefer` stage over HTTPS offers
 * registration; the browser binds a key it keeps (TPM-backed where it can), and from then on
 * every request must carry a short-lived bound cookie that only a proof by that key refreshes.
 * A copied session cookie therefore stops working within `DBSC_COOKIE_TTL`, wherever it is used.
 */
@Injectable()
export class DeviceBoundSessionService {
  constructor(
    private readonly bindings: SessionDeviceBindingRepository,
    private readonly events: EventService,
    private readonly terminator: TerminateSessionsService,
    private readonly cache: SessionCache,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(USER_LOGIN_OPTIONS) private readonly options: ResolvedUserLoginOptions,
  ) {}

  /**
   * Offers registration on the login's answer. DBSC is for secure contexts only: a plain-HTTP
   * request (neither direct TLS nor a trusted proxy's `X-Forwarded-Proto: https`) gets nothing.
   */
  async offerRegistration(request: HttpRequestLike, response: HttpResponseLike, sessionUuid: string): Promise<boolean> {
    if (request.protocol !== 'https') return false;
    const challenge = newToken();
    await this.bindings.offerRegistration(sessionUuid, challenge, this.inFuture(CHALLENGE_TTL_MS));
    this.adapterHost.httpAdapter.setHeader(
      response,
      'Secure-Session-Registration',
      registrationHeader(DBSC_REGISTER_PATH, challenge),
    );
    return true;
  }

  /** Binds the key in the request's proof to its (already authenticated) session. */
  async register(request: HttpRequestLike, response: HttpResponseLike, found: ActiveSession) {
    let proof: DbscProof;
    try {
      proof = verifyDbscProof(headerOf(request, 'secure-session-response') ?? '');
    } catch (error) {
      if (!(error instanceof DbscProofError)) throw error;
      throw new BadRequestException({ detail: `Invalid device proof: ${error.message}`, code: 'invalid_device_proof' });
    }
    const cookie = newToken();
    const bound = await this.bindings.bindKey(found.session.uuid, proof.challenge, this.clock.now(), {
      algorithm: proof.algorithm,
      publicKey: proof.publicKey,
      boundCookieHash: hashToken(cookie),
      boundCookieExpires: this.inFuture(this.options.dbscCookieTtlMs),
    });
    if (!bound) {
      throw new ForbiddenException({
        detail: 'Unknown, used or expired registration challenge',
        code: 'invalid_challenge',
      });
    }
    // This instance's cache must see the binding before the browser's next request; other
    // instances hear of it through the table's NOTIFY trigger.
    this.cache.invalidateSessions([found.session.uuid]);
    this.setBoundCookie(request, response, cookie);
    await this.events.record({
      action: 'session_device_bound',
      app: 'idp.user_login',
      user: toEventUser(found.user),
      clientIp: clientIp(request),
      context: {
        session_uuid: found.session.uuid,
        algorithm: proof.algorithm,
        http_request: httpRequestContext(request),
      },
    });
    return this.instructions(request, found.session.uuid);
  }

  /**
   * Refreshes the bound cookie. No cookie is needed (after a restart Chrome sends none): the
   * session is named by `Sec-Secure-Session-Id` and proven by a signature with its key.
   */
  async refresh(request: HttpRequestLike, response: HttpResponseLike): Promise<RefreshAnswer> {
    const sessionUuid = headerOf(request, 'sec-secure-session-id') ?? '';
    const now = this.clock.now();
    const state = UUID.test(sessionUuid) ? await this.bindings.findLive(sessionUuid, now) : null;
    if (!state || !state.userActive || !state.publicKey || !state.algorithm) {
      return { status: 200, body: { session_identifier: sessionUuid, continue: false } };
    }
    const jwt = headerOf(request, 'secure-session-response');
    if (!jwt) return this.challenge(sessionUuid, now);
    let proof: DbscProof;
    try {
      proof = verifyDbscProof(jwt, { algorithm: state.algorithm, publicKey: state.publicKey });
    } catch (error) {
      if (!(error instanceof DbscProofError)) throw error;
      if (error.failure === 'bad_signature') return this.endForWrongKey(request, state);
      return this.challenge(sessionUuid, now);
    }
    const cookie = newToken();
    const rotated = await this.bindings.rotateCookie(
      sessionUuid,
      proof.challenge,
      now,
      hashToken(cookie),
      this.inFuture(this.options.dbscCookieTtlMs),
      this.inFuture(PREVIOUS_COOKIE_OVERLAP_MS),
    );
    // The right key but a used, expired or foreign challenge: a replay. Ask again.
    if (!rotated) return this.challenge(sessionUuid, now);
    this.cache.invalidateSessions([sessionUuid]);
    this.setBoundCookie(request, response, cookie);
    return { status: 200, body: this.instructions(request, sessionUuid) };
  }

  /**
   * The session check's part: a device-bound session's request must carry its unexpired bound
   * cookie. Costs nothing for unbound sessions (the binding comes with the session's own row).
   * @throws DeviceProofRequiredException
   */
  async requireProof(request: HttpRequestLike, found: ActiveSession): Promise<void> {
    const binding = found.deviceBinding;
    if (!binding) return;
    const now = this.clock.now();
    const token = readDeviceCookie(BOUND_COOKIE, { request, secureMode: this.options.cookieSecure });
    if (
      !token &&
      !binding.proofSeen &&
      binding.boundAt &&
      now.getTime() - binding.boundAt.getTime() < REGISTRATION_GRACE_MS
    ) {
      return;
    }
    if (token && token.length <= 128) {
      const hash = hashToken(token);
      if (sameHash(hash, binding.cookieHash, binding.cookieExpires, now)) {
        // One write in the session's life: the grace ends with the first proof.
        if (!binding.proofSeen) {
          await this.bindings.markProofSeen(found.session.uuid);
          this.cache.invalidateSessions([found.session.uuid]);
        }
        return;
      }
      if (sameHash(hash, binding.previousCookieHash, binding.previousCookieExpires, now)) return;
    }
    if (await this.bindings.reportProofMissing(found.session.uuid, now)) {
      await this.events.record({
        action: 'session_device_proof_missing',
        app: 'idp.user_login',
        user: toEventUser(found.user),
        clientIp: clientIp(request),
        context: { session_uuid: found.session.uuid, http_request: httpRequestContext(request) },
      });
    }
    throw new DeviceProofRequiredException();
  }

  private async challenge(sessionUuid: string, now: Date): Promise<RefreshAnswer> {
    const challenge = await this.bindings.currentChallenge(
      sessionUuid,
      newToken(),
      this.inFuture(CHALLENGE_TTL_MS),
      now,
    );
    return { status: 403, headers: { 'Secure-Session-Challenge': challengeHeader(challenge, sessionUuid) } };
  }

  // A valid proof by another key means the session's cookie is being used without its device.
  private async endForWrongKey(request: HttpRequestLike, state: BoundSessionState): Promise<RefreshAnswer> {
    await this.terminator.end(state.sessionUuid, { reason: 'device_proof_failed', request });
    return { status: 401, body: { detail: 'Device proof failed', code: 'device_proof_failed' } };
  }

  private instructions(request: HttpRequestLike, sessionUuid: string) {
    const context = { request, secureMode: this.options.cookieSecure };
    return sessionInstructions({
      sessionId: sessionUuid,
      refreshUrl: DBSC_REFRESH_PATH,
      origin: originOf(request),
      cookieName: deviceCookieName(BOUND_COOKIE, context),
      cookieAttributes: deviceCookieAttributes(context),
    });
  }

  private setBoundCookie(request: HttpRequestLike, response: HttpResponseLike, token: string): void {
    const adapter = this.adapterHost.httpAdapter;
    writeDeviceCookie(
      (res, name, value) => adapter.setHeader(res, name, value as string),
      response,
      BOUND_COOKIE,
      token,
      Math.max(1, Math.ceil(this.options.dbscCookieTtlMs / 1000)),
      { request, secureMode: this.options.cookieSecure, now: this.clock.now() },
    );
  }

  private inFuture(ms: number): Date {
    return new Date(this.clock.now().getTime() + ms);
  }
}

function sameHash(hash: string, stored: string | null, expires: Date | null, now: Date): boolean {
  return (
    stored !== null && expires !== null && expires > now && timingSafeEqual(Buffer.from(hash), Buffer.from(stored))
  );
}

function headerOf(request: HttpRequestLike, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

// The scope names the origin the browser talked to: the Host it sent, over the protocol the
// adapter worked out (a trusted proxy's X-Forwarded-Proto included).
function originOf(request: HttpRequestLike): string {
  return `${request.protocol ?? 'https'}://${headerOf(request, 'host') ?? 'localhost'}`;
}
