/**
 * Why a person is on the login page, as a fixed code in `?reason=` that the login page turns into
 * its own sentence. Only these codes pass: the page never shows text taken from the URL.
 *
 * - `binding_broken`: the session left its bound network or location and was ended.
 * - `signed_out`: the person signed out here.
 * - `ended_elsewhere`: the session was ended from another tab or browser, or by an administrator.
 * - `expired`: the session reached its expiry (or idle limit).
 * - `ended`: the browser still had a session cookie, but its session is gone and the server
 *   cannot tell why any more (ended elsewhere, or expired and cleaned up).
 */
export const SIGN_OUT_REASONS = ['binding_broken', 'signed_out', 'ended_elsewhere', 'expired', 'ended'] as const;

export type SignOutReason = (typeof SIGN_OUT_REASONS)[number];

/** The reason code in a query value, or undefined for anything that is not exactly one of them. */
export function readSignOutReason(value: unknown): SignOutReason | undefined {
  return SIGN_OUT_REASONS.find((reason) => reason === value);
}
