import type { ActiveSession } from '../persistence/session.repository.js';

/** How a cache answered, for metrics and tests. */
export interface SessionCacheStats {
  hits: number;
  misses: number;
  /** Lookups that went to the database because the invalidation listener was not connected. */
  bypassed: number;
  /** Database answers not kept because an invalidation arrived while they were read. */
  discardedFills: number;
  invalidations: number;
  size: number;
}

/**
 * The sessions this instance has checked recently, keyed by the SHA-256 of their token, so a
 * request with a known cookie costs no database round trip.
 *
 * It is only as good as its invalidations: {@link SessionInvalidationListener} turns every
 * `NOTIFY` about a deleted or changed session, a changed user or a changed login stage into a
 * call here, and switches the cache off (everything goes to the database) while it is not
 * connected. An answer read from the database is kept only if no invalidation arrived while it
 * was read ({@link beginRead} / {@link keep}), so a session ended during the read cannot be
 * cached as alive. Expiry is checked on every hit against the caller's clock.
 */
export class SessionCache {
  private readonly byHash = new Map<string, ActiveSession>();
  private readonly hashByUuid = new Map<string, string>();
  private enabled = false;
  /** Bumped by every invalidation and every switch on or off; see {@link beginRead}. */
  private generation = 0;
  private readonly counters = { hits: 0, misses: 0, bypassed: 0, discardedFills: 0, invalidations: 0 };

  constructor(private readonly maxEntries = 50_000) {}

  /** Whether lookups may be answered from memory (the listener is connected). */
  get active(): boolean {
    return this.enabled;
  }

  /** Switches the cache on (listener connected) or off (listener down); either way it starts empty. */
  setActive(active: boolean): void {
    this.enabled = active;
    this.clear();
  }

  /** The cached, unexpired session for this token hash, or undefined (then read the database). */
  get(tokenHash: string, now: Date): ActiveSession | undefined {
    if (!this.enabled) {
      this.counters.bypassed++;
      return undefined;
    }
    const found = this.byHash.get(tokenHash);
    // An expiry this instance knows may be older than the database's (another instance renewed
    // it): past it, absolute or idle, the database decides.
    if (!found || !(isBefore(now, found.session.expires) && isBefore(now, found.session.idleExpires))) {
      this.counters.misses++;
      return undefined;
    }
    this.counters.hits++;
    return found;
  }

  /** A token to pass to {@link keep} with what the database answered. */
  beginRead(): number {
    return this.generation;
  }

  /** Caches a database answer, unless the cache is off or anything was invalidated since `read`. */
  keep(tokenHash: string, found: ActiveSession, read: number): void {
    if (!this.enabled) return;
    if (read !== this.generation) {
      this.counters.discardedFills++;
      return;
    }
    if (this.byHash.size >= this.maxEntries && !this.byHash.has(tokenHash)) {
      // Maps iterate in insertion order: the first key is the oldest entry.
      const oldest = this.byHash.keys().next().value as string;
      this.drop(oldest);
    }
    this.byHash.set(tokenHash, found);
    this.hashByUuid.set(found.session.uuid, tokenHash);
  }

  /** Forgets sessions by uuid (deleted or changed). */
  invalidateSessions(uuids: Iterable<string>): void {
    this.generation++;
    for (const uuid of uuids) {
      const hash = this.hashByUuid.get(uuid);
      if (hash !== undefined) this.drop(hash);
      this.counters.invalidations++;
    }
  }

  /** Forgets every session of a user (deactivated, renamed, rights changed, deleted). */
  invalidateUser(userPk: number): void {
    this.forgetWhere((entry) => entry.user.pk === userPk);
  }

  /** Forgets every session created by a login stage (changed or deleted). */
  invalidateStage(stageUuid: string): void {
    this.forgetWhere((entry) => entry.session.stageUuid === stageUuid);
  }

  /** Whether the session with this uuid is cached now. */
  holds(sessionUuid: string): boolean {
    return this.hashByUuid.has(sessionUuid);
  }

  /** Forgets everything. */
  clear(): void {
    this.generation++;
    this.byHash.clear();
    this.hashByUuid.clear();
  }

  stats(): SessionCacheStats {
    return { ...this.counters, size: this.byHash.size };
  }

  private forgetWhere(match: (entry: ActiveSession) => boolean): void {
    this.generation++;
    this.counters.invalidations++;
    for (const [hash, entry] of this.byHash) if (match(entry)) this.drop(hash);
  }

  private drop(tokenHash: string): void {
    const entry = this.byHash.get(tokenHash);
    if (!entry) return;
    this.byHash.delete(tokenHash);
    this.hashByUuid.delete(entry.session.uuid);
  }
}

function isBefore(now: Date, end: Date | null | undefined): boolean {
  return end == null || now.getTime() < end.getTime();
}
