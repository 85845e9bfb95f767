import {
  appendSetCookie,
  CLOCK,
  cookieNameInForce,
  cookieSecure,
  readCookie,
  type Clock,
  type HttpRequestLike,
  type HttpResponseLike,
} from '@idp/core';
import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { USER_LOGIN_OPTIONS, type ResolvedUserLoginOptions } from './user-login-options.interface.js';

/** Reads and writes the session cookie through the HTTP adapter, whichever it is. */
@Injectable()
export class SessionCookieService {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(USER_LOGIN_OPTIONS) private readonly options: ResolvedUserLoginOptions,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  read(request: HttpRequestLike): string | undefined {
    return readCookie(request, this.name(request));
  }

  /** The cookie's name for this request: `__Host-` prefixed when the cookie is `Secure`. */
  name(request: HttpRequestLike): string {
    return cookieNameInForce(this.options.cookieName, cookieSecure(this.options.cookieSecure, request));
  }

  /** Sets the cookie; without `maxAgeSeconds` it is a browser cookie (no Max-Age, no Expires). */
  set(request: HttpRequestLike, response: HttpResponseLike, token: string, maxAgeSeconds?: number): void {
    this.write(request, response, token, {
      ...this.attributes(request),
      ...(maxAgeSeconds !== undefined
        ? { maxAge: maxAgeSeconds, expires: new Date(this.clock.now().getTime() + maxAgeSeconds * 1000) }
        : {}),
    });
  }

  clear(request: HttpRequestLike, response: HttpResponseLike): void {
    this.write(request, response, '', { ...this.attributes(request), maxAge: 0, expires: new Date(0) });
  }

  private attributes(request: HttpRequestLike) {
    return {
      httpOnly: true,
      sameSite: 'lax' as const,
      path: '/',
      secure: cookieSecure(this.options.cookieSecure, request),
    };
  }

  private write(
    request: HttpRequestLike,
    response: HttpResponseLike,
    value: string,
    attributes: Parameters<typeof appendSetCookie>[4],
  ): void {
    const adapter = this.adapterHost.httpAdapter;
    appendSetCookie(
      (res, name, v) => adapter.setHeader(res, name, v as string),
      response,
      this.name(request),
      value,
      attributes,
    );
  }
}
