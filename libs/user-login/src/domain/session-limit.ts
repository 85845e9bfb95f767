/**
 * The per-user session limit of a login stage (`max_sessions` / `on_limit`, docs/api.md).
 */

/** `on_limit` values, default first. */
export const LIMIT_POLICIES = ['evict_oldest', 'deny'] as const;
/** What a login over the limit does: end the least recently used sessions, or refuse the login. */
export type LimitPolicy = (typeof LIMIT_POLICIES)[number];

/**
 * Whether `value` is a valid `on_limit`.
 * @example isLimitPolicy('deny') // true
 */
export function isLimitPolicy(value: unknown): value is LimitPolicy {
  return (LIMIT_POLICIES as readonly unknown[]).includes(value);
}

/** The largest `max_sessions` accepted (a Postgres integer). */
export const MAX_SESSIONS_LIMIT = 2_147_483_647;

/** A live session of the user, as the limit needs it. */
export interface LiveSession {
  uuid: string;
  lastUsed: Date;
  created: Date;
}

/** What a login does about the limit. */
export type LimitDecision = { action: 'allow'; evict: string[] } | { action: 'deny' };

/**
 * Decides a login against the limit, given the user's other live sessions: `max_sessions` 0 is
 * unlimited; otherwise the new session plus the ones kept must not exceed it. `evict_oldest`
 * ends the least recently used first (ties: the older one first).
 * @example decideSessionLimit({ maxSessions: 2, onLimit: 'evict_oldest', live }) // { action: 'allow', evict: [...] }
 */
export function decideSessionLimit(input: {
  maxSessions: number;
  onLimit: LimitPolicy;
  live: readonly LiveSession[];
}): LimitDecision {
  const { maxSessions, onLimit, live } = input;
  const excess = live.length + 1 - maxSessions;
  if (maxSessions <= 0 || excess <= 0) return { action: 'allow', evict: [] };
  if (onLimit === 'deny') return { action: 'deny' };
  const byUse = [...live].sort(
    (a, b) =>
      a.lastUsed.getTime() - b.lastUsed.getTime() ||
      a.created.getTime() - b.created.getTime() ||
      a.uuid.localeCompare(b.uuid),
  );
  return { action: 'allow', evict: byUse.slice(0, excess).map((session) => session.uuid) };
}
