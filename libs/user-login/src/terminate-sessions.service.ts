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
import type { EntityManager } from 'typeorm';
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

/** How a session ended, for its `logout` event and the hooks. */
export interface SessionEnding {
  reason: TerminationReason;
  /** The request that ended it: the event's client IP and `http_request`. */
  request?: HttpRequestLike;
  /** More of the event's context (e.g. the broken binding), beside `logout_reason` and `session_uuid`. */
  context?: Record<string, unknown>;
}

// The `logout_reason` of each way a session ends (docs/api.md, Events). Sessions ended by a login
// with terminate_other_sessions get no event of their own: that login's event lists them.
const LOGOUT_REASONS: Record<TerminationReason, string | null> = {
  logout: 'User logged out',
  binding_broken: 'Session binding broken',
  device_proof_failed: 'Device proof failed',
  session_limit: 'Session limit reached',
  revoked_by_user: 'Session revoked by its user',
  revoked_by_admin: 'Session revoked by an administrator',
  terminate_other_sessions: null,
};

/**
 * Ends login sessions: the one place that deletes a live session, writes its `logout` event and
 * tells {@link SessionTerminationHooks}, whatever ended it (logout, broken binding, a failed
 * device proof, a login that terminates other sessions or evicts one over the limit, revocation by
 * a person, deactivation or deletion of the user). The row is deleted first and only the caller
 * whose DELETE removed it goes on, so each ended session is reported exactly once, across instances.
 *
 * Verbs:
 * - **end**: a session ended for a reason the module knows; deletes it, writes the event, fires the hook.
 * - **revoke**: a person ended sessions on purpose through the API: its owner, or an admin.
 *   Like end, with who did it (`revoked_by`) in the event and the reason judged per session.
 * - **terminate**: for host apps; deletes and fires the hook with the reason given, no event.
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

  /** Ends one session with its event; false when it did not exist (already ended, maybe by a parallel request). */
  async end(sessionUuid: string, ending: SessionEnding): Promise<boolean> {
    const deleted = await this.sessions.deleteByUuid(sessionUuid);
    if (deleted) await this.ended([deleted], ending);
    return deleted !== null;
  }

  /**
   * Deletes every session of the user except `keepSessionId` inside the caller's transaction (a
   * login with terminate_other_sessions); once it committed, pass the rows to {@link ended}.
   */
  deleteOthersWithin(manager: EntityManager, userId: number, keepSessionId: string): Promise<DeletedSession[]> {
    return this.sessions.deleteAllExcept(userId, keepSessionId, manager);
  }

  /** Deletes these sessions inside the caller's transaction (eviction); once it committed, pass the rows to {@link ended}. */
  deleteWithin(manager: EntityManager, sessionUuids: string[]): Promise<DeletedSession[]> {
    return this.sessions.deleteByUuids(sessionUuids, manager);
  }

  /**
   * Reports sessions that are deleted and committed: one `logout` event each, then the hook.
   * Call it once the deleting transaction committed, so nothing acts on a rollback.
   */
  async ended(
    deleted: DeletedSession[],
    ending: SessionEnding | ((row: DeletedSession) => SessionEnding),
  ): Promise<void> {
    if (deleted.length === 0) return;
    this.forget(deleted);
    const endingOf = typeof ending === 'function' ? ending : () => ending;
    for (const row of deleted) await this.record(row, endingOf(row));
    for (const row of deleted) {
      await this.hooks.emit([{ sessionUuid: row.uuid, userPk: row.userPk, reason: endingOf(row).reason }]);
    }
  }

  /** Terminates one session (hook, no event); false when it did not exist (already ended). */
  async terminate(sessionUuid: string, reason: TerminationReason = 'logout'): Promise<boolean> {
    const deleted = await this.sessions.deleteByUuid(sessionUuid);
    if (deleted) await this.notify([deleted], reason);
    return deleted !== null;
  }

  /** Terminates every session of `userId` except `keepSessionId` (hooks, no events); returns how many ended. */
  async terminateOthers(
    userId: number,
    keepSessionId: string,
    reason: TerminationReason = 'revoked_by_user',
  ): Promise<number> {
    const deleted = await this.sessions.deleteAllExcept(userId, keepSessionId);
    await this.notify(deleted, reason);
    return deleted.length;
  }

  /** Terminates every session of the user (hooks, no events); returns how many ended. */
  async terminateAll(userId: number, reason: TerminationReason = 'revoked_by_admin'): Promise<number> {
    return this.terminateAllOf([userId], reason);
  }

  /** Terminates every session of several users at once (hooks, no events); returns how many ended. */
  async terminateAllOf(userIds: number[], reason: TerminationReason): Promise<number> {
    const deleted = await this.sessions.deleteAllOfUsers(userIds);
    await this.notify(deleted, reason);
    return deleted.length;
  }

  /** Revokes one session on behalf of `by`; false when it did not exist (already ended). */
  async revoke(sessionUuid: string, by: Revoker): Promise<boolean> {
    const deleted = await this.sessions.deleteByUuid(sessionUuid);
    if (deleted) await this.ended([deleted], revokedBy(by));
    if (deleted && sessionUuid === by.currentSessionUuid) this.clearCookie(by);
    return deleted !== null;
  }

  /**
   * Revokes every session of these users on behalf of `by`, except `keepSessionId` (typically
   * the caller's own current session); returns how many ended. Deactivating or deleting a user
   * revokes its sessions this way.
   */
  async revokeAllOf(userIds: number[], by: Revoker, keepSessionId?: string): Promise<number> {
    if (userIds.length === 0) return 0;
    const deleted = await this.sessions.deleteAllOfUsers(userIds, keepSessionId);
    await this.ended(deleted, revokedBy(by));
    // The caller's own sessions were included and its current one not spared: it is signed out.
    if (by.currentSessionUuid && by.currentSessionUuid !== keepSessionId && userIds.includes(by.user.pk))
      this.clearCookie(by);
    return deleted.length;
  }

  // Hooks only: for the host's terminate verbs.
  private notify(deleted: DeletedSession[], reason: TerminationReason): Promise<void> {
    this.forget(deleted);
    return this.hooks.emit(deleted.map((row) => ({ sessionUuid: row.uuid, userPk: row.userPk, reason })));
  }

  // This instance rejects an ended session at once; the others hear of it through NOTIFY.
  private forget(deleted: DeletedSession[]): void {
    if (deleted.length === 0) return;
    const uuids = deleted.map((row) => row.uuid);
    this.cache.invalidateSessions(uuids);
    this.activity.forget(uuids);
  }

  private clearCookie(by: Revoker): void {
    if (by.request && by.response) this.cookies.clear(by.request, by.response);
  }

  /** The one `logout` event of an ended session, whose `user` is the session's owner. */
  private async record(row: DeletedSession, { reason, request, context }: SessionEnding): Promise<void> {
    const logoutReason = LOGOUT_REASONS[reason];
    if (logoutReason === null) return;
    await this.events.record({
      action: 'logout',
      app: 'idp.user_login',
      user: toEventUser({ pk: row.userPk, username: row.username, email: row.email }),
      clientIp: request ? clientIp(request) : null,
      context: {
        ...context,
        ...(request ? { http_request: httpRequestContext(request) } : {}),
        logout_reason: logoutReason,
        session_uuid: row.uuid,
      },
    });
  }
}

// Each session gets its own reason: one admin bulk revoke can include the admin's own sessions.
function revokedBy(by: Revoker): (row: DeletedSession) => SessionEnding {
  const context = { revoked_by: toEventUser(by.user) };
  return (row) => ({
    reason: row.userPk === by.user.pk ? 'revoked_by_user' : 'revoked_by_admin',
    request: by.request,
    context,
  });
}
