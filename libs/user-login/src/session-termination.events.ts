import { Injectable, Logger } from '@nestjs/common';

/**
 * Why a session was terminated, as given to listeners: `logout` (the browser signed out),
 * `binding_broken` (it left its bound network or location), `terminate_other_sessions` (a newer
 * login of the same user through a stage with that flag), `revoked_by_user` / `revoked_by_admin`
 * (a person ended it through the API; see {@link TerminateSessionsService} for its verbs),
 * `session_limit` (a newer login through a stage with `max_sessions` and `on_limit=evict_oldest`),
 * `device_proof_failed` (a DBSC refresh was signed by another key than the session's device).
 */
export type TerminationReason =
  | 'terminate_other_sessions'
  | 'binding_broken'
  | 'logout'
  | 'revoked_by_admin'
  | 'revoked_by_user'
  | 'session_limit'
  | 'device_proof_failed';

/** One terminated session, as told to {@link SessionTerminationHooks} listeners. */
export interface SessionTerminated {
  sessionUuid: string;
  /** The user the session belonged to. */
  userPk: number;
  reason: TerminationReason;
}

/** A function that hears of one terminated session. */
export type SessionTerminatedListener = (event: SessionTerminated) => void | Promise<void>;

/**
 * The hook other modules use to react when a login session ends, e.g. an OAuth module deciding
 * whether refresh tokens issued to that session should go too (this module never touches them).
 * It fires exactly once per terminated session, whatever ended it, after the row is deleted and
 * committed; a listener that throws is logged and never undoes the termination or the request.
 *
 * @example
 * ```ts
 * @Injectable()
 * export class RevokeRefreshTokens implements OnModuleInit, OnModuleDestroy {
 *   private unsubscribe?: () => void;
 *   constructor(private readonly hooks: SessionTerminationHooks, private readonly tokens: RefreshTokenRepository) {}
 *   onModuleInit() {
 *     this.unsubscribe = this.hooks.subscribe(async ({ sessionUuid, reason }) => {
 *       if (reason !== 'terminate_other_sessions') await this.tokens.revokeBySession(sessionUuid);
 *     });
 *   }
 *   onModuleDestroy() {
 *     this.unsubscribe?.();
 *   }
 * }
 * ```
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

  /** Tells every listener about each event, one event at a time; called by the module only. */
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
