import {
  CLOCK,
  clientIp,
  EventService,
  hashToken,
  httpRequestContext,
  newToken,
  toEventUser,
  userAgent,
  UserRepository,
  type Clock,
  type HttpRequestLike,
  type HttpResponseLike,
  type User,
} from '@idp/core';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  decideSessionLimit,
  expiresAt,
  idleExpiresAt,
  parseDuration,
  sessionLifetime,
  type LimitDecision,
} from './domain/index.js';
import { DeviceBoundSessionService } from './devices/device-bound-session.service.js';
import { RememberedDeviceService } from './devices/remembered-device.service.js';
import { IpFactsService } from './ip-facts.service.js';
import { SessionRepository } from './persistence/session.repository.js';
import type { Session } from './persistence/session.entity.js';
import type { UserLoginStage } from './persistence/user-login-stage.entity.js';
import { UserLoginStageRepository } from './persistence/user-login-stage.repository.js';
import { SessionCookieService } from './session-cookie.service.js';
import { TerminateSessionsService } from './terminate-sessions.service.js';
import { USER_LOGIN_OPTIONS, type ResolvedUserLoginOptions } from './user-login-options.interface.js';
import { UserLoginObservers } from './user-login.observers.js';

/** What {@link UserLoginStageService.login} needs from the flow that ran before it. */
export interface LoginRequest {
  request: HttpRequestLike;
  response: HttpResponseLike;
  stage: UserLoginStage;
  pendingUser: User | null | undefined;
  /** The answer to "Stay signed in?"; ignored when the stage does not prompt. */
  rememberMe?: boolean;
  /** How the user proved who they are (e.g. `password`), for the login event. */
  authMethod?: string;
}

export type LoginResult =
  { outcome: 'denied'; message: string } | { outcome: 'logged_in'; session: Session; terminatedSessions: number };

/**
 * The User Login stage: turns the flow's pending user into a new session (fresh token, stored
 * hashed), writes the `login` event and sets the cookie.
 */
@Injectable()
export class UserLoginStageService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sessions: SessionRepository,
    private readonly stages: UserLoginStageRepository,
    private readonly users: UserRepository,
    private readonly cookies: SessionCookieService,
    private readonly ipFacts: IpFactsService,
    private readonly events: EventService,
    private readonly terminator: TerminateSessionsService,
    private readonly rememberedDevices: RememberedDeviceService,
    private readonly deviceBound: DeviceBoundSessionService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(USER_LOGIN_OPTIONS) private readonly options: ResolvedUserLoginOptions,
    private readonly observers: UserLoginObservers,
  ) {}

  /** The User Login stage with this uuid, or null. */
  findStage(stageUuid: string): Promise<UserLoginStage | null> {
    return this.stages.findByUuid(stageUuid);
  }

  /** The User Login stage with this name, or null: a host app that signs users in outside flows picks its stage so. */
  findStageByName(name: string): Promise<UserLoginStage | null> {
    return this.stages.findByName(name);
  }

  /** Whether the stage asks "Stay signed in?" before logging in. */
  prompts(stage: UserLoginStage): boolean {
    return parseDuration(stage.rememberMeOffset) > 0;
  }

  async login(input: LoginRequest): Promise<LoginResult> {
    const { request, response, stage, pendingUser } = input;
    if (!pendingUser) return this.denied(request, 'No pending user.');
    if (!pendingUser.isActive)
      return this.denied(request, 'This account is disabled. Ask an administrator to enable it.', pendingUser);

    const lifetime = sessionLifetime({
      sessionDurationMs: parseDuration(stage.sessionDuration),
      rememberMeOffsetMs: parseDuration(stage.rememberMeOffset),
      rememberMe: input.rememberMe === true,
    });
    const now = this.clock.now();
    const ip = clientIp(request);
    // A brand-new token at every login: nothing a client held before (e.g. the flow cookie)
    // ever becomes a session, which rules out session fixation.
    const token = newToken();
    // Judged before the new session exists, which would otherwise count as "another session from this IP".
    const device = await this.rememberedDevices.recognise(request, pendingUser.pk, ip);

    const idleTimeoutMs = parseDuration(stage.sessionIdleTimeout);
    const limited = stage.maxSessions > 0 && !stage.terminateOtherSessions;

    // The session, the user's last_login and the `login` event commit together: a login cut off
    // half-way (the database going away) leaves no session that nobody holds a cookie for.
    const result = await this.dataSource.transaction(async (manager) => {
      if (stage.terminateOtherSessions || limited) {
        // Serialises logins of one user, so concurrent logins end with exactly one session, or
        // with no more than the limit.
        await manager.query('SELECT pg_advisory_xact_lock($1, $2)', [USER_SESSIONS_LOCK, pendingUser.pk]);
      }
      const limit: LimitDecision = limited
        ? decideSessionLimit({
            maxSessions: stage.maxSessions,
            onLimit: stage.onLimit,
            live: await this.sessions.liveOfUser(manager, pendingUser.pk, now),
          })
        : { action: 'allow', evict: [] };
      if (limit.action === 'deny') return null;
      const created = await this.sessions.insert(manager, {
        tokenHash: hashToken(token),
        userPk: pendingUser.pk,
        created: now,
        expires: expiresAt(now, lifetime, this.options.browserSessionIdleMs),
        browserSession: lifetime.kind === 'browser',
        lastIp: ip,
        lastUserAgent: userAgent(request),
        lastUsed: now,
        networkBinding: stage.networkBinding,
        geoipBinding: stage.geoipBinding,
        stageUuid: stage.stageUuid,
        bindingMode: stage.bindingMode,
        onMissingRecord: stage.onMissingRecord,
        bindingExemptCidrs: stage.bindingExemptCidrs,
        ipv6Prefix: stage.ipv6Prefix,
        networkReferenceIp: null,
        geoipReferenceIp: null,
        idleTimeoutMs: idleTimeoutMs > 0 ? idleTimeoutMs : 0,
        idleExpires: idleExpiresAt(now, idleTimeoutMs),
        knownDevice: device.known,
      });
      const ended = stage.terminateOtherSessions
        ? await this.terminator.deleteOthersWithin(manager, pendingUser.pk, created.uuid)
        : [];
      const evicted = await this.terminator.deleteWithin(manager, limit.evict);
      await this.users.markLoggedIn(pendingUser.pk, now, manager);
      await this.events.record(
        {
          action: 'login',
          app: 'idp.user_login',
          user: toEventUser(pendingUser),
          clientIp: ip,
          context: {
            ...this.ipFacts.eventContext(this.ipFacts.facts(ip)),
            http_request: httpRequestContext(request),
            ...(input.authMethod ? { auth_method: input.authMethod } : {}),
            session_uuid: created.uuid,
            known_device: device.known,
            // The count is the contract; the handles let the log explain each session that vanished.
            ...(stage.terminateOtherSessions
              ? { terminated_sessions: ended.length, terminated_session_uuids: ended.map((row) => row.uuid) }
              : {}),
            ...(evicted.length > 0 ? { evicted_session_uuids: evicted.map((row) => row.uuid) } : {}),
          },
        },
        manager,
      );
      return { session: created, terminated: ended, evicted };
    });
    if (result === null) return this.denied(request, SESSION_LIMIT_MESSAGE, pendingUser);
    const { session, terminated, evicted } = result;
    // Told only now that the deletes committed: the login's own event already lists the
    // terminated sessions; each evicted one gets its `logout` event.
    await this.terminator.ended(terminated, { reason: 'terminate_other_sessions' });
    await this.terminator.ended(evicted, {
      reason: 'session_limit',
      request,
      context: { replaced_by_session_uuid: session.uuid },
    });
    this.cookies.set(request, response, token, lifetime.kind === 'absolute' ? lifetime.maxAgeSeconds : undefined);
    await this.rememberedDevices.remember(
      request,
      response,
      pendingUser.pk,
      device,
      parseDuration(stage.rememberDevice),
    );
    if (stage.deviceBoundSessions === 'prefer')
      await this.deviceBound.offerRegistration(request, response, session.uuid);
    this.observers.loginCompleted(
      { result: 'success', sessionUuid: session.uuid, userUuid: pendingUser.uuid },
      request,
    );
    return { outcome: 'logged_in', session, terminatedSessions: terminated.length };
  }

  private denied(request: HttpRequestLike, message: string, user?: User): LoginResult {
    this.observers.loginCompleted({ result: 'denied', userUuid: user?.uuid }, request);
    return { outcome: 'denied', message };
  }
}

/** What a login refused by `on_limit=deny` tells the user. */
export const SESSION_LIMIT_MESSAGE = 'Session limit reached: sign out of another session first.';

// First key of the two-int advisory lock: a namespace, so the user pk alone is the second key.
const USER_SESSIONS_LOCK = 0x1d9_5e55;
