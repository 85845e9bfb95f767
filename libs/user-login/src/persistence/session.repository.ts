import { User, pageWindow } from '@idp/core';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Not, Repository, type EntityManager } from 'typeorm';
import { Session } from './session.entity.js';

/** A session row with its user, as the session check needs it. */
export interface ActiveSession {
  session: Session;
  user: User;
  /** Set when the session is device-bound (DBSC): what its bound cookie must hash to, and until when. */
  deviceBinding?: {
    boundAt: Date | null;
    proofSeen: boolean;
    cookieHash: string | null;
    cookieExpires: Date | null;
    previousCookieHash: string | null;
    previousCookieExpires: Date | null;
  } | null;
}

/** A session that a DELETE removed, with what an event about it needs to name its owner. */
export interface DeletedSession {
  uuid: string;
  userPk: number;
  username: string;
  email: string;
}

/** A live session of a user, as the session limit sees it. */
export interface LiveSessionRow {
  uuid: string;
  lastUsed: Date;
  created: Date;
}

/** What a request changed about a session, for {@link SessionRepository.writeActivity}. */
export interface SessionActivity {
  uuid: string;
  lastIp?: string;
  lastUsed?: Date;
  lastUserAgent?: string;
  expires?: Date;
  /** null: the reference is `last_ip` again. */
  networkReferenceIp?: string | null;
  geoipReferenceIp?: string | null;
  idleExpires?: Date | null;
}

/** What the session list may be narrowed and sorted by. */
export interface SessionFilter {
  userPk?: number;
  username?: string;
  lastIp?: string;
  search?: string;
  ordering?: string;
  offset: number;
  limit: number;
}

const ORDERINGS: Record<string, [string, 'ASC' | 'DESC']> = {
  last_used: ['s.lastUsed', 'ASC'],
  '-last_used': ['s.lastUsed', 'DESC'],
  expires: ['s.expires', 'ASC'],
  '-expires': ['s.expires', 'DESC'],
  created: ['s.created', 'ASC'],
  '-created': ['s.created', 'DESC'],
  last_ip: ['s.lastIp', 'ASC'],
  '-last_ip': ['s.lastIp', 'DESC'],
  user__username: ['u.username', 'ASC'],
  '-user__username': ['u.username', 'DESC'],
};
/** The `ordering` values the session list accepts. */
export const SESSION_ORDERINGS = Object.keys(ORDERINGS);

// Session activity, many sessions in one statement. set_config marks the transaction so the
// change-notification trigger stays quiet (migration 1764300003000). Times only move forward and
// last_ip / last_user_agent follow the newest last_used, whatever order instances write in.
// (bench/scale.ts reads this statement from here for its EXPLAIN: keep it one template literal.)
const WRITE_ACTIVITY = `
  UPDATE sessions s
     SET last_ip = CASE WHEN v.last_used IS NULL OR v.last_used >= s.last_used
                        THEN COALESCE(v.last_ip, s.last_ip) ELSE s.last_ip END,
         last_user_agent = CASE WHEN v.last_used IS NULL OR v.last_used >= s.last_used
                                THEN COALESCE(v.last_user_agent, s.last_user_agent) ELSE s.last_user_agent END,
         network_reference_ip = CASE WHEN v.set_network_reference AND (v.last_used IS NULL OR v.last_used >= s.last_used)
                                     THEN v.network_reference_ip ELSE s.network_reference_ip END,
         geoip_reference_ip = CASE WHEN v.set_geoip_reference AND (v.last_used IS NULL OR v.last_used >= s.last_used)
                                   THEN v.geoip_reference_ip ELSE s.geoip_reference_ip END,
         last_used = GREATEST(s.last_used, COALESCE(v.last_used, s.last_used)),
         expires = GREATEST(s.expires, COALESCE(v.expires, s.expires)),
         idle_expires = CASE WHEN v.idle_expires IS NULL THEN s.idle_expires
                             ELSE GREATEST(s.idle_expires, v.idle_expires) END
    FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::timestamptz[],
                $6::boolean[], $7::text[], $8::boolean[], $9::text[], $10::timestamptz[])
           AS v(uuid, last_ip, last_used, last_user_agent, expires,
                set_network_reference, network_reference_ip, set_geoip_reference, geoip_reference_ip, idle_expires),
         (SELECT set_config('idp.session_activity', 'on', true)) AS quiet
   WHERE s.uuid = v.uuid`;

// The per-request lookup is one hand-written statement: it runs on every authenticated request
// (bench/scale.ts reads it from here for its EXPLAIN: keep it one template literal).
const ACTIVE_BY_HASH = `
  SELECT s.uuid, s.user_pk, s.created, s.expires, s.browser_session, s.last_ip, s.last_user_agent,
         s.last_used, s.network_binding, s.geoip_binding, s.stage_uuid,
         s.binding_mode, s.on_missing_record, s.binding_exempt_cidrs, s.ipv6_prefix,
         s.network_reference_ip, s.geoip_reference_ip, s.idle_timeout_ms, s.idle_expires, s.known_device,
         u.username, u.name, u.email, u.is_active, u.is_superuser, u.last_login, u.date_joined, u.uuid AS user_uuid,
         b.session_uuid IS NOT NULL AS device_bound, b.bound_at, b.proof_seen, b.bound_cookie_hash, b.bound_cookie_expires,
         b.previous_cookie_hash, b.previous_cookie_expires
    FROM sessions s JOIN users u ON u.pk = s.user_pk
    LEFT JOIN session_device_bindings b ON b.session_uuid = s.uuid AND b.public_key IS NOT NULL
   WHERE s.token_hash = $1 AND s.expires > $2 AND (s.idle_expires IS NULL OR s.idle_expires > $2)`;

// A session is live while neither its expiry nor its idle expiry has passed.
const LIVE = '(s.expires > :now AND (s.idle_expires IS NULL OR s.idle_expires > :now))';

/** The session fields a request may change. */
export type SessionTouch = Partial<
  Pick<
    Session,
    'lastIp' | 'lastUsed' | 'expires' | 'lastUserAgent' | 'networkReferenceIp' | 'geoipReferenceIp' | 'idleExpires'
  >
>;

/** The only place that queries the sessions table. */
@Injectable()
export class SessionRepository {
  constructor(@InjectRepository(Session) private readonly sessions: Repository<Session>) {}

  insert(manager: EntityManager, fields: Omit<Session, 'uuid' | 'user'>): Promise<Session> {
    return manager.save(Session, manager.create(Session, fields));
  }

  /** The unexpired session whose token hashes to `tokenHash`, with its user. */
  async findActiveByTokenHash(tokenHash: string, now: Date): Promise<ActiveSession | null> {
    const rows = await this.prepared('idp_session_by_token_hash', ACTIVE_BY_HASH, [tokenHash, now]);
    const row = rows[0];
    if (!row) return null;
    const user = Object.assign(new User(), {
      pk: row.user_pk,
      uuid: row.user_uuid,
      username: row.username,
      name: row.name,
      email: row.email,
      isActive: row.is_active,
      isSuperuser: row.is_superuser,
      lastLogin: row.last_login,
      dateJoined: row.date_joined,
    });
    const session = Object.assign(new Session(), {
      uuid: row.uuid,
      userPk: row.user_pk,
      created: row.created,
      expires: row.expires,
      browserSession: row.browser_session,
      lastIp: row.last_ip,
      lastUserAgent: row.last_user_agent,
      lastUsed: row.last_used,
      networkBinding: row.network_binding,
      geoipBinding: row.geoip_binding,
      stageUuid: row.stage_uuid,
      bindingMode: row.binding_mode,
      onMissingRecord: row.on_missing_record,
      bindingExemptCidrs: row.binding_exempt_cidrs,
      ipv6Prefix: row.ipv6_prefix,
      networkReferenceIp: row.network_reference_ip,
      geoipReferenceIp: row.geoip_reference_ip,
      idleTimeoutMs: row.idle_timeout_ms,
      idleExpires: row.idle_expires,
      knownDevice: row.known_device,
    });
    const deviceBinding = row.device_bound
      ? {
          boundAt: row.bound_at,
          proofSeen: row.proof_seen,
          cookieHash: row.bound_cookie_hash,
          cookieExpires: row.bound_cookie_expires,
          previousCookieHash: row.previous_cookie_hash,
          previousCookieExpires: row.previous_cookie_expires,
        }
      : null;
    return { session, user, deviceBinding };
  }

  /** Whether the user has a live session whose last request came from `ip` ("known device"). */
  async userHasLiveSessionFrom(userPk: number, ip: string, now: Date): Promise<boolean> {
    const rows: unknown[] = await this.sessions.query(
      `SELECT 1 FROM sessions s WHERE s.user_pk = $1 AND s.last_ip = $2 AND s.expires > $3
         AND (s.idle_expires IS NULL OR s.idle_expires > $3) LIMIT 1`,
      [userPk, ip, now],
    );
    return rows.length > 0;
  }

  findByUuid(uuid: string): Promise<Session | null> {
    return this.sessions.findOne({ where: { uuid }, relations: { user: true, deviceBinding: true } });
  }

  /** Writes the activity of many sessions in one statement (see SessionActivityWriter). */
  async writeActivity(rows: SessionActivity[]): Promise<void> {
    if (rows.length === 0) return;
    await this.sessions.query(WRITE_ACTIVITY, [
      rows.map((row) => row.uuid),
      rows.map((row) => row.lastIp ?? null),
      rows.map((row) => row.lastUsed ?? null),
      rows.map((row) => row.lastUserAgent ?? null),
      rows.map((row) => row.expires ?? null),
      rows.map((row) => row.networkReferenceIp !== undefined),
      rows.map((row) => row.networkReferenceIp ?? null),
      rows.map((row) => row.geoipReferenceIp !== undefined),
      rows.map((row) => row.geoipReferenceIp ?? null),
      rows.map((row) => row.idleExpires ?? null),
    ]);
  }

  /**
   * Writes `fields` (which move `last_ip` to `ip`) unless `last_ip` is `ip` already; true when it
   * wrote. Parallel requests from one new IP all try: only the first UPDATE matches, so a logged
   * binding violation is written once, whichever instance served it.
   */
  async moveTo(uuid: string, ip: string, fields: SessionTouch): Promise<boolean> {
    const result = await this.sessions.update({ uuid, lastIp: Not(ip) }, fields);
    return (result.affected ?? 0) > 0;
  }

  /** The user's live sessions, for the session limit; run inside the login's locked transaction. */
  async liveOfUser(manager: EntityManager, userPk: number, now: Date): Promise<LiveSessionRow[]> {
    const rows: Array<{ uuid: string; last_used: Date; created: Date }> = await manager.query(
      `SELECT uuid, last_used, created FROM sessions
        WHERE user_pk = $1 AND expires > $2 AND (idle_expires IS NULL OR idle_expires > $2)`,
      [userPk, now],
    );
    return rows.map((row) => ({ uuid: row.uuid, lastUsed: row.last_used, created: row.created }));
  }

  /** Deletes these sessions; returns what it deleted. */
  deleteByUuids(uuids: string[], manager?: EntityManager): Promise<DeletedSession[]> {
    if (uuids.length === 0) return Promise.resolve([]);
    return this.deleteReturning(manager, 's.uuid = ANY($1::uuid[])', [uuids]);
  }

  /**
   * Deletes one session and returns it, or null when it was already gone. Using the
   * delete's own result makes the caller that removed the row the only one that reports it.
   */
  async deleteByUuid(uuid: string, manager?: EntityManager): Promise<DeletedSession | null> {
    const rows = await this.deleteReturning(manager, 's.uuid = $1', [uuid]);
    return rows[0] ?? null;
  }

  /** Deletes every session of the user except `keepUuid`; returns what it deleted. */
  deleteAllExcept(userPk: number, keepUuid: string, manager?: EntityManager): Promise<DeletedSession[]> {
    return this.deleteReturning(manager, 's.user_pk = $1 AND s.uuid <> $2', [userPk, keepUuid]);
  }

  /** Deletes every session of these users, except `keepUuid` when given; returns what it deleted. */
  deleteAllOfUsers(userPks: number[], keepUuid?: string, manager?: EntityManager): Promise<DeletedSession[]> {
    return keepUuid
      ? this.deleteReturning(manager, 's.user_pk = ANY($1::int[]) AND s.uuid <> $2', [userPks, keepUuid])
      : this.deleteReturning(manager, 's.user_pk = ANY($1::int[])', [userPks]);
  }

  /** Deletes up to `batchSize` expired sessions; small batches keep locks short. */
  async deleteExpired(now: Date, batchSize: number): Promise<number> {
    const rows = await this.deleteReturning(
      undefined,
      's.uuid IN (SELECT uuid FROM sessions WHERE expires <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)',
      [now, batchSize],
    );
    return rows.length;
  }

  /** Deletes up to `batchSize` sessions whose idle timeout passed (`session_idle_timeout`). */
  async deleteIdleExpired(now: Date, batchSize: number): Promise<number> {
    const rows = await this.deleteReturning(
      undefined,
      's.uuid IN (SELECT uuid FROM sessions WHERE idle_expires <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)',
      [now, batchSize],
    );
    return rows.length;
  }

  list(filter: SessionFilter, now: Date): Promise<[Session[], number]> {
    const query = this.sessions
      .createQueryBuilder('s')
      .innerJoinAndSelect('s.user', 'u')
      .leftJoinAndSelect('s.deviceBinding', 'b')
      .where(LIVE, { now })
      .skip(pageWindow({ offset: filter.offset, limit: filter.limit }).offset)
      .take(filter.limit);
    const [column, direction] = ORDERINGS[filter.ordering ?? '-last_used'] ?? ORDERINGS['-last_used'];
    query.orderBy(column, direction).addOrderBy('s.uuid', 'ASC');
    if (filter.userPk !== undefined) query.andWhere('s.user_pk = :pk', { pk: filter.userPk });
    if (filter.username) query.andWhere('u.username = :username', { username: filter.username });
    if (filter.lastIp) query.andWhere('s.last_ip = :ip', { ip: filter.lastIp });
    if (filter.search) {
      // The search text is matched literally: its own % and _ are not wildcards.
      const q = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query.andWhere('(u.username ILIKE :q OR s.last_ip ILIKE :q OR s.last_user_agent ILIKE :q)', { q });
    }
    return query.getManyAndCount();
  }

  /**
   * Runs a statement as a named prepared statement on the pg pool, so each pooled connection
   * parses and plans it once. On the per-request lookup this halves the database time measured
   * through TypeORM's `query()` (bench notes in the README); other drivers fall back to `query()`.
   */
  private async prepared(name: string, text: string, values: unknown[]): Promise<Record<string, any>[]> {
    const pool = (this.sessions.manager.connection.driver as { master?: { query?: Function } }).master;
    if (typeof pool?.query !== 'function') return this.sessions.query(text, values);
    const result = await (pool.query as (config: object) => Promise<{ rows: Record<string, any>[] }>).call(pool, {
      name,
      text,
      values,
    });
    return result.rows;
  }

  private async deleteReturning(
    manager: EntityManager | undefined,
    where: string,
    params: unknown[],
  ): Promise<DeletedSession[]> {
    const runner = manager ?? this.sessions.manager;
    const result = await runner.query(
      `DELETE FROM sessions s USING users u WHERE u.pk = s.user_pk AND (${where})
       RETURNING s.uuid, s.user_pk, u.username, u.email`,
      params,
    );
    // pg answers DELETE ... RETURNING through TypeORM as [rows, count].
    const rows: Array<{ uuid: string; user_pk: number; username: string; email: string }> = Array.isArray(result[0])
      ? result[0]
      : result;
    return rows.map((row) => ({ uuid: row.uuid, userPk: row.user_pk, username: row.username, email: row.email }));
  }
}
