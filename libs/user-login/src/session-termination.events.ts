import { Injectable, Logger } from '@nestjs/common';

/** Why a session ended, as written in events and given to listeners. */
export type TerminationReason =
  | 'terminate_other_sessions'
  | 'binding_broken'
  | 'logout'
  | 'revoked_by_admin'
  | 'revoked_by_user';

/** One ended session, as told to {@link SessionTerminationHooks} listeners. */
export interface SessionTerminated {
  sessionUuid: string;
  userPk: number;
  reason: TerminationReason;
}

export type SessionTerminatedListener = (event: SessionTerminated) => void | Promise<void>;

/**
 * The hook other modules use to react when a login session ends (e.g. an OAuth module that
 * decides whether to revoke refresh tokens issued to it). Listeners run after the row is gone;
 * a failing listener is logged and never undoes the termination.
 */
@Injectable()
export class SessionTerminationHooks {
  private readonly logger = new Logger(SessionTerminationHooks.name);
  private readonly listeners = new Set<SessionTerminatedListener>();

  /** Registers a listener; returns a function that removes it. */
  subscribe(listener: SessionTerminatedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async emit(events: SessionTerminated[]): Promise<void> {
    for (const event of events) {
      for (const listener of this.listeners) {
        try {
          await listener(event);
        } catch (error) {
          this.logger.error(`session-terminated listener failed for ${event.sessionUuid}: ${String(error)}`);
        }
      }
    }
  }
}
