/**
 * Expiry arithmetic of the login stage (docs/api.md, "Lifetimes"), free of clocks and frameworks: callers
 * pass `now` in.
 */

/**
 * How long a new session lives: until the browser closes (the server keeps it for the idle
 * window after last use) or for a fixed number of seconds that the cookie's `Max-Age` repeats.
 */
export type SessionLifetime = { kind: 'browser' } | { kind: 'absolute'; maxAgeSeconds: number };

/** The stage settings and the user's answer that decide a {@link SessionLifetime}. */
export interface SessionLifetimeInput {
  /** The stage's parsed `session_duration`, never negative. */
  sessionDurationMs: number;
  /** The stage's parsed `remember_me_offset`; `<= 0` means there is no prompt and no extension. */
  rememberMeOffsetMs: number;
  /** The user's answer to "Stay signed in?"; ignored when the stage does not prompt. */
  rememberMe: boolean;
}

/**
 * Whether the stage asks "Stay signed in?", which it does only for a positive offset.
 * @example shouldPrompt(0) // false
 */
export function shouldPrompt(rememberMeOffsetMs: number): boolean {
  return rememberMeOffsetMs > 0;
}

/**
 * Adds the remember-me offset (when prompted and accepted) to the session duration and decides
 * between a browser session and an absolute expiry in whole seconds.
 *
 * Totals are floored to whole seconds because `Max-Age` only takes integers; a positive total
 * under one second becomes one second, since `Max-Age=0` would delete the cookie at once and a
 * browser session would outlive what the operator asked for.
 * @example sessionLifetime({ sessionDurationMs: 3_600_000, rememberMeOffsetMs: 0, rememberMe: false })
 * // { kind: 'absolute', maxAgeSeconds: 3600 }
 */
export function sessionLifetime(input: SessionLifetimeInput): SessionLifetime {
  const { sessionDurationMs, rememberMeOffsetMs, rememberMe } = input;
  // A negative offset never shortens the session: it only switches the prompt off.
  const extension = rememberMe && shouldPrompt(rememberMeOffsetMs) ? rememberMeOffsetMs : 0;
  const totalMs = sessionDurationMs + extension;
  if (!(totalMs > 0)) return { kind: 'browser' };
  return { kind: 'absolute', maxAgeSeconds: Math.max(1, Math.floor(totalMs / 1000)) };
}

/**
 * The server-side expiry of a session created or renewed at `now`: the idle window for browser
 * sessions, otherwise exactly the cookie's `Max-Age` so both end together.
 * @example expiresAt(now, { kind: 'browser' }, 86_400_000) // now + 1 day
 */
export function expiresAt(now: Date, lifetime: SessionLifetime, browserIdleMs: number): Date {
  const ttlMs = lifetime.kind === 'browser' ? browserIdleMs : lifetime.maxAgeSeconds * 1000;
  return new Date(now.getTime() + ttlMs);
}

/** The current state of a browser session, for {@link shouldRenewBrowserSession}. */
export interface BrowserRenewalInput {
  /** The session's stored expiry. */
  expires: Date;
  /** The time of the request being served. */
  now: Date;
  /** The `SESSION_BROWSER_IDLE` window in milliseconds. */
  browserIdleMs: number;
  /**
   * The smallest move of the expiry worth a database write.
   * @default 60_000
   */
  minIntervalMs?: number;
}

/**
 * Whether a browser session's sliding expiry should be pushed to `now + idle`, which happens only
 * when it would move by at least `minIntervalMs`, so a busy session costs at most one write per
 * minute. Absolute sessions never slide and must not be passed here.
 * @example shouldRenewBrowserSession({ expires, now, browserIdleMs: 86_400_000 })
 */
export function shouldRenewBrowserSession(input: BrowserRenewalInput): boolean {
  const { expires, now, browserIdleMs, minIntervalMs = 60_000 } = input;
  return now.getTime() + browserIdleMs - expires.getTime() >= minIntervalMs;
}
