import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { SessionRepository, type SessionActivity } from '../persistence/session.repository.js';
import { USER_LOGIN_OPTIONS, type ResolvedUserLoginOptions } from '../user-login-options.interface.js';

/** What a request changed about its session. */
export type SessionActivityChange = Omit<SessionActivity, 'uuid'>;

// A database that stays away must not make the queue grow without end.
const MAX_PENDING = 200_000;

/**
 * Writes what requests learn about their sessions (`last_ip`, `last_used`, `last_user_agent`, the
 * binding reference IPs, a renewed `expires` / `idle_expires`), coalesced per session and written
 * behind, in one statement per flush (every `activityFlushMs`, default 1 s).
 *
 * Nothing here decides whether a request is let in, so a delay is safe: the binding verdicts are
 * transitive (same AS, same network, same country...), so comparing the next request with any
 * address the session was accepted from gives the outcome that comparing with the latest would,
 * and the instance itself compares with the latest it knows (the cached session). A renewed
 * expiry (absolute or idle) is written at once, since another instance decides by the database's. The statement
 * only moves `last_used` and `expires` forward, and writes `last_ip` only with a newer
 * `last_used`, so instances flushing in any order leave the latest use in the row. A session
 * deleted meanwhile is not brought back (an UPDATE finds no row).
 */
@Injectable()
export class SessionActivityWriter implements BeforeApplicationShutdown {
  private readonly logger = new Logger(SessionActivityWriter.name);
  private pending = new Map<string, SessionActivityChange>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly sessions: SessionRepository,
    @Inject(USER_LOGIN_OPTIONS) private readonly options: ResolvedUserLoginOptions,
  ) {}

  /**
   * Queues a change; written at once when it renews the expiry or when write-behind is off. The
   * promise of that write is returned; a queued change returns none (nothing to wait for, and
   * no promise on the session check's path).
   */
  record(uuid: string, change: SessionActivityChange): Promise<void> | undefined {
    const merged = { ...this.pending.get(uuid), ...change };
    if (change.expires !== undefined || change.idleExpires != null || this.options.activityFlushMs <= 0) {
      this.pending.delete(uuid);
      return this.sessions.writeActivity([{ uuid, ...merged }]);
    }
    if (this.pending.size >= MAX_PENDING && !this.pending.has(uuid)) return undefined;
    this.pending.set(uuid, merged);
    this.timer ??= setTimeout(() => void this.flush(), this.options.activityFlushMs);
    return undefined;
  }

  /** Drops what is queued for sessions that ended. */
  forget(uuids: Iterable<string>): void {
    for (const uuid of uuids) this.pending.delete(uuid);
  }

  /** How many sessions have changes waiting. */
  get queued(): number {
    return this.pending.size;
  }

  /** Writes everything queued now; resolves when it is written (or failed and was re-queued). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.flushing = this.flushing.then(() => this.writeQueued());
    return this.flushing;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  private async writeQueued(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.sessions.writeActivity([...batch].map(([uuid, change]) => ({ uuid, ...change })));
    } catch (error) {
      this.logger.warn(`writing session activity failed (${batch.size} sessions, will retry): ${String(error)}`);
      // Newer changes queued meanwhile win over the failed ones.
      for (const [uuid, change] of batch) this.pending.set(uuid, { ...change, ...this.pending.get(uuid) });
      this.timer ??= setTimeout(() => void this.flush(), Math.max(this.options.activityFlushMs, 1000));
    }
  }
}
