import {
  appendSetCookie,
  cookieNameInForce,
  cookieSecure,
  readCookie,
  type HttpRequestLike,
  type HttpResponseLike,
  type SetHeader,
} from '@idp/core';

/** The device cookie (`remember_device`) and the DBSC bound cookie, before any `__Host-` prefix. */
export const DEVICE_COOKIE = 'idp_device';
export const BOUND_COOKIE = 'idp_bound';

/** What a device-feature cookie needs to know about the request. */
export interface DeviceCookieContext {
  request: HttpRequestLike;
  secureMode: 'auto' | 'true' | 'false';
}

/** The cookie's name in force: Secure cookies carry `__Host-` (Path=/, no Domain), like the session cookie. */
export function deviceCookieName(base: string, context: DeviceCookieContext): string {
  return cookieNameInForce(base, cookieSecure(context.secureMode, context.request));
}

/** Reads the cookie under the name in force only: a plain-named cookie never stands in for a `__Host-` one. */
export function readDeviceCookie(base: string, context: DeviceCookieContext): string | undefined {
  return readCookie(context.request, deviceCookieName(base, context));
}

/**
 * The attributes every device-feature cookie carries, as `Set-Cookie` writes them, without
 * Max-Age: DBSC's `credentials[].attributes` must repeat them exactly, and Chrome refuses an
 * expiry attribute there (seen with Chromium 156: "InvalidCredentialsCookieUnpermittedAttribute").
 */
export function deviceCookieAttributes(context: DeviceCookieContext): string {
  return cookieSecure(context.secureMode, context.request)
    ? 'Path=/; Secure; HttpOnly; SameSite=Lax'
    : 'Path=/; HttpOnly; SameSite=Lax';
}

/** Sets a device-feature cookie for `maxAgeSeconds` (0 deletes it). */
export function writeDeviceCookie(
  setHeader: SetHeader,
  response: HttpResponseLike,
  base: string,
  value: string,
  maxAgeSeconds: number,
  context: DeviceCookieContext & { now: Date },
): void {
  appendSetCookie(setHeader, response, deviceCookieName(base, context), value, {
    path: '/',
    secure: cookieSecure(context.secureMode, context.request),
    httpOnly: true,
    sameSite: 'lax',
    maxAge: maxAgeSeconds,
    expires: new Date(context.now.getTime() + maxAgeSeconds * 1000),
  });
}
