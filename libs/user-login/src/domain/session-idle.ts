/**
 * The idle timeout of a session (`session_idle_timeout`, docs/api.md): a session unused for
 * longer than the timeout ends, whatever its absolute expiry. Callers pass `now` in.
 */

// last_used-style bookkeeping: renewing the idle expiry more than once a minute buys nothing.
const MAX_RENEWAL_INTERVAL_MS = 60_000;

/**
 * How often use renews the idle expiry: once a minute, or once per half the timeout when that is
 * shorter, so a session in use never reaches its idle end between two renewals.
 * @example idleRenewalIntervalMs(600_000) // 60_000
 * @example idleRenewalIntervalMs(30_000) // 15_000
 */
export function idleRenewalIntervalMs(idleTimeoutMs: number): number {
  return Math.min(MAX_RENEWAL_INTERVAL_MS, idleTimeoutMs / 2);
}

/**
 * The idle expiry of a session used at `now`, or null when the timeout is off (`<= 0`).
 * @example idleExpiresAt(now, 0) // null
 */
export function idleExpiresAt(now: Date, idleTimeoutMs: number): Date | null {
  return idleTimeoutMs > 0 ? new Date(now.getTime() + idleTimeoutMs) : null;
}

/**
 * Whether a request at `now` should push the idle expiry to `now + timeout`: only when the
 * renewal interval has passed since the last renewal, which bounds the writes.
 * @example shouldRenewIdle({ idleExpires, now, idleTimeoutMs: 600_000 })
 */
export function shouldRenewIdle(input: { idleExpires: Date | null; now: Date; idleTimeoutMs: number }): boolean {
  const { idleExpires, now, idleTimeoutMs } = input;
  if (!(idleTimeoutMs > 0)) return false;
  if (idleExpires === null) return true;
  const lastRenewal = idleExpires.getTime() - idleTimeoutMs;
  return now.getTime() - lastRenewal >= idleRenewalIntervalMs(idleTimeoutMs);
}

/**
 * Whether a session is still live at `now`: before its expiry and, with an idle timeout, before
 * its idle expiry.
 * @example isSessionLive({ expires, idleExpires: null }, now)
 */
export function isSessionLive(session: { expires: Date; idleExpires: Date | null }, now: Date): boolean {
  const t = now.getTime();
  return session.expires.getTime() > t && (session.idleExpires === null || session.idleExpires.getTime() > t);
}
