import { CLOCK, type AsnContext, type Clock, type GeoContext } from '@idp/core';
import { Inject, Injectable } from '@nestjs/common';
import { isSessionLive } from './domain/index.js';
import { IpFactsService } from './ip-facts.service.js';
import type { Session } from './persistence/session.entity.js';
import { SessionRepository, type SessionFilter } from './persistence/session.repository.js';

/** What the GeoIP databases say about the IP a session was last used from. */
export interface SessionWhereabouts {
  geo: GeoContext | null;
  asn: AsnContext | null;
}

/**
 * Sessions as a host app reads and tidies them: the live-session list behind "My sessions" and
 * the admin list, one session by its uuid, where it was last used from, and removal of expired
 * rows. Ending a live session is {@link TerminateSessionsService}'s job.
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly ipFacts: IpFactsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** One page of live sessions (with user and device binding) and the number of all that match. */
  list(filter: SessionFilter): Promise<[Session[], number]> {
    return this.sessions.list(filter, this.clock.now());
  }

  /** The live session with this uuid (with user and device binding), or null. */
  async findLive(uuid: string): Promise<Session | null> {
    const session = await this.sessions.findByUuid(uuid);
    return session && isSessionLive(session, this.clock.now()) ? session : null;
  }

  /** Location and network of `ip`, null where the database does not know it (or is not loaded). */
  whereabouts(ip: string): SessionWhereabouts {
    const facts = this.ipFacts.facts(ip);
    return { geo: facts.geo?.context ?? null, asn: facts.asn ?? null };
  }

  /** Deletes up to `limit` sessions past their expiry; returns how many (0: none left). */
  deleteExpired(now: Date, limit: number): Promise<number> {
    return this.sessions.deleteExpired(now, limit);
  }

  /** Deletes up to `limit` sessions past their idle timeout; returns how many (0: none left). */
  deleteIdleExpired(now: Date, limit: number): Promise<number> {
    return this.sessions.deleteIdleExpired(now, limit);
  }
}
