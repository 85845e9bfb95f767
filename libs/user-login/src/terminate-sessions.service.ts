import { Injectable } from '@nestjs/common';
import { SessionRepository } from './persistence/session.repository.js';
import { SessionTerminationHooks, type TerminationReason } from './session-termination.events.js';

/**
 * Ends login sessions. Vocabulary used throughout the module: to **terminate** a session is to
 * delete its row, so its cookie stops working on the very next request; listeners of
 * {@link SessionTerminationHooks} hear of every terminated session. Only login sessions are
 * touched: tokens owned by other modules are theirs to handle through that hook.
 */
@Injectable()
export class TerminateSessionsService {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly hooks: SessionTerminationHooks,
  ) {}

  /** Terminates every session of `userId` except `keepSessionId`; returns how many ended. */
  async terminateOthers(userId: number, keepSessionId: string, reason: TerminationReason = 'revoked_by_user'): Promise<number> {
    const deleted = await this.sessions.deleteAllExcept(userId, keepSessionId);
    await this.notify(deleted, reason);
    return deleted.length;
  }

  /** Terminates one session; false when it did not exist (already ended). */
  async terminate(sessionUuid: string, reason: TerminationReason = 'logout'): Promise<boolean> {
    const deleted = await this.sessions.deleteByUuid(sessionUuid);
    if (deleted) await this.notify([deleted], reason);
    return deleted !== null;
  }

  /** Terminates every session of the user; returns how many ended. */
  async terminateAll(userId: number, reason: TerminationReason = 'revoked_by_admin'): Promise<number> {
    return this.terminateAllOf([userId], reason);
  }

  /** Terminates every session of several users at once; returns how many ended. */
  async terminateAllOf(userIds: number[], reason: TerminationReason): Promise<number> {
    const deleted = await this.sessions.deleteAllOfUsers(userIds);
    await this.notify(deleted, reason);
    return deleted.length;
  }

  /** Tells listeners about sessions a caller deleted inside its own transaction, once it committed. */
  notify(deleted: Array<{ uuid: string; userPk: number }>, reason: TerminationReason): Promise<void> {
    return this.hooks.emit(deleted.map((row) => ({ sessionUuid: row.uuid, userPk: row.userPk, reason })));
  }
}
