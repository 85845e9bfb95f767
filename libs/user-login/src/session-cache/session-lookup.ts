import { Injectable } from '@nestjs/common';
import { SessionRepository, type ActiveSession } from '../persistence/session.repository.js';
import { SessionCache } from './session-cache.js';

/**
 * Finds the session of a token hash: in {@link SessionCache} when it is on and knows it, else in
 * the database (and then caches the answer if nothing was invalidated meanwhile).
 */
@Injectable()
export class SessionLookup {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly cache: SessionCache,
  ) {}

  /** The cached session only: no database read, no promise (the session check's common case). */
  cached(tokenHash: string, now: Date): ActiveSession | undefined {
    return this.cache.get(tokenHash, now);
  }

  async findActiveByTokenHash(tokenHash: string, now: Date): Promise<ActiveSession | null> {
    const cached = this.cache.get(tokenHash, now);
    if (cached) return cached;
    const read = this.cache.beginRead();
    const found = await this.sessions.findActiveByTokenHash(tokenHash, now);
    if (found) this.cache.keep(tokenHash, found, read);
    return found;
  }
}
