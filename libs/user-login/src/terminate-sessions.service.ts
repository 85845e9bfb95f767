import {
  clientIp,
  EventService,
  httpRequestContext,
  toEventUser,
  type HttpRequestLike,
  type HttpResponseLike,
  type User,
} from '@idp/core';
import { Injectable } from '@nestjs/common';
import { SessionRepository, type DeletedSession } from './persistence/session.repository.js';
import { SessionActivityWriter } from './session-cache/session-activity.writer.js';
import { SessionCache } from './session-cache/session-cache.js';
import { SessionCookieService } from './session-cookie.service.js';
import { SessionTerminationHooks, type TerminationReason } from './session-termination.events.js';

/** Who revoked sessions, and the API request they did it with (for the event's IP and request). */
export interface Revoker {
  user: Pick<User, 'pk' | 'username' | 'email'>;
  request?: HttpRequestLike;
  /**
   * The session the revoking request came with, and the response to that request: when the
   * revocation ends that session, its cookie is cleared on `response` (the browser signed itself out).
   */
  currentSessionUuid?: string | null;
  response?: HttpResponseLike;
}

/**
 * Ends login sessions. The module uses two verbs, each with one meaning:
 *
 * - **terminate**: end a session, whatever the cause. Its row is deleted, so its cookie fails on
 *   the very next request, and {@link SessionTerminationHooks} fires once for it. Every way a
 *   session ends (logout, broken binding, a login with `terminate_other_sessions`, revocation)
 *   goes through a terminate.
 * - **revoke**: a person ended the session on purpose through the API: its owner, or an admin.
 *   A revoke terminates and also writes one `logout` event per session whose `user` is the owner,
 *   naming who did it (`revoked_by`) and why (`logout_reason`).
 *
 * Only login sessions are touched: tokens owned by other modules are theirs to handle through
 * the hook.
 */
@Injectable()
export class TerminateSessionsService {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly hooks: SessionTerminationHooks,
    private readonly events: EventService,
    private readonly cache: SessionCache,
    private readonly activity: SessionActivityWriter,
    private readonly cookies: SessionCookieService,
  ) {}

  /** Terminates one session; false when it did not exist (already ended). */
  async terminate(sessionUuid: string, reason: TerminationReason = 'logout'): Promise<boolean> {
    const deleted = await this.sessions.deleteByUuid(sessionUuid);
    this.forget(deleted);
    if (deleted) await this.notify([deleted], reason);
    return deleted !== null;
  }

  /** Terminates every session of `userId` except `keepSessionId`; returns how many ended. */
  async terminateOthers(
    userId: number,
    keepSessionId: string,
    reason: TerminationReason = 'revoked_by_user',
  ): Promise<number> {
    const deleted = await this.sessions.deleteAllExcept(userId, keepSessionId);
    this.forget(deleted);
    await this.notify(deleted, reason);
    return deleted.length;
  }

  /** Terminates every session of the user; returns how many ended. */
  async terminateAll(userId: number, reason: TerminationReason = 'revoked_by_admin'): Promise<number> {
    return this.terminateAllOf([userId], reason);
  }

  /** Terminates every session of several users at once; returns how many ended. */
  async terminateAllOf(userIds: number[], reason: TerminationReason): Promise<number> {
    const deleted = await this.sessions.deleteAllOfUsers(userIds);
    this.forget(deleted);
    await this.notify(deleted, reason);
    return deleted.length;
  }

  /** Revokes one session on behalf of `by`; false when it did not exist (already ended). */
  async revoke(sessionUuid: string, by: Revoker): Promise<boolean> {
    const deleted = await this.sessions.deleteByUuid(sessionUuid);
    this.forget(deleted);
    if (deleted) await this.revoked([deleted], by);
    if (deleted && sessionUuid === by.currentSessionUuid) this.clearCookie(by);
    return deleted !== null;
  }

  /**
   * Revokes every session of these users on behalf of `by`, except `keepSessionId` (typically
   * the caller's own current session); returns how many ended.
   */
  async revokeAllOf(userIds: number[], by: Revoker, keepSessionId?: string): Promise<number> {
    if (userIds.length === 0) return 0;
    const deleted = await this.sessions.deleteAllOfUsers(userIds, keepSessionId);
    this.forget(deleted);
    await this.revoked(deleted, by);
    // The caller's own sessions were included and its current one not spared: it is signed out.
    if (by.currentSessionUuid && by.currentSessionUuid !== keepSessionId && userIds.includes(by.user.pk))
      this.clearCookie(by);
    return deleted.length;
  }

  /**
   * Tells listeners about sessions a caller deleted inside its own transaction; call it once
   * that transaction committed, so no listener acts on a termination that was rolled back.
   */
  notify(deleted: Array<Pick<DeletedSession, 'uuid' | 'userPk'>>, reason: TerminationReason): Promise<void> {
    this.forget(deleted);
    return this.hooks.emit(deleted.map((row) => ({ sessionUuid: row.uuid, userPk: row.userPk, reason })));
  }

  // This instance rejects an ended session at once; the others hear of it through NOTIFY.
  private forget(deleted: DeletedSession | null | Array<Pick<DeletedSession, 'uuid'>>): void {
    const rows = deleted === null ? [] : Array.isArray(deleted) ? deleted : [deleted];
    if (rows.length === 0) return;
    const uuids = rows.map((row) => row.uuid);
    this.cache.invalidateSessions(uuids);
    this.activity.forget(uuids);
  }

  private clearCookie(by: Revoker): void {
    if (by.request && by.response) this.cookies.clear(by.request, by.response);
  }

  private async revoked(deleted: DeletedSession[], by: Revoker): Promise<void> {
    const ip = by.request ? clientIp(by.request) : null;
    for (const row of deleted) {
      const byOwner = row.userPk === by.user.pk;
      await this.events.record({
        action: 'logout',
        app: 'idp.user_login',
        user: toEventUser({ pk: row.userPk, username: row.username, email: row.email }),
        clientIp: ip,
        context: {
          logout_reason: byOwner ? 'Session revoked by its user' : 'Session revoked by an administrator',
          revoked_by: toEventUser(by.user),
          session_uuid: row.uuid,
          ...(by.request ? { http_request: httpRequestContext(by.request) } : {}),
        },
      });
    }
    // Each row gets its own reason: one admin bulk revoke can include the admin's own sessions.
    for (const row of deleted)
      await this.notify([row], row.userPk === by.user.pk ? 'revoked_by_user' : 'revoked_by_admin');
  }
}
