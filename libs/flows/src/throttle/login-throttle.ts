/** Limits on failed passwords over a sliding window (`LOGIN_THROTTLE`, see docs/api.md). */
export interface LoginThrottleLimits {
  /** Failures allowed per (username, client IP) in the window. @default 10 */
  perUserAndIp: number;
  /** Failures allowed per client IP, whatever the username. @default 100 */
  perIp: number;
  /** The sliding window. @default 15 minutes */
  windowMs: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleLimits = {
  perUserAndIp: 10,
  perIp: 100,
  windowMs: 15 * 60_000,
};

/** Failures already in the window, as the store counted them. */
export interface AttemptCounts {
  userAndIp: number;
  ip: number;
}

/**
 * Whether one more attempt may be made. The username is counted as typed (trimmed, lower-cased)
 * whether or not such a user exists, so being throttled tells nothing about which accounts exist.
 */
export function isOverLimit(counts: AttemptCounts, limits: LoginThrottleLimits): { userAndIp: boolean; ip: boolean } {
  return { userAndIp: counts.userAndIp >= limits.perUserAndIp, ip: counts.ip >= limits.perIp };
}

/** The key a typed identifier is counted under: "Alice " and "alice" share one budget. */
export function throttleUsernameKey(uid: unknown): string {
  return String(uid ?? '')
    .trim()
    .toLowerCase();
}

/** Whole seconds until `freesAt`, at least 1 (a `Retry-After` of 0 would invite a busy loop). */
export function retryAfterSeconds(freesAt: Date, now: Date): number {
  return Math.max(1, Math.ceil((freesAt.getTime() - now.getTime()) / 1000));
}
