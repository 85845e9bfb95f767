import type { HttpRequestLike, HttpResponseLike } from '@idp/core';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { ActiveSession } from './persistence/session.repository.js';
import { SessionAuthService } from './session-auth.service.js';

/** The request property the guard fills with the authenticated session and user. */
export const AUTHENTICATED_SESSION = 'idpSession';

export type RequestWithSession = HttpRequestLike & { [AUTHENTICATED_SESSION]?: ActiveSession };

/**
 * Authenticates a request by its session cookie and enforces the session's network/GeoIP
 * binding; usable per route (`@UseGuards`) or as a global guard.
 */
@Injectable()
export class SessionBindingGuard implements CanActivate {
  constructor(private readonly auth: SessionAuthService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<RequestWithSession>();
    request[AUTHENTICATED_SESSION] = await this.auth.authenticate(request, http.getResponse<HttpResponseLike>());
    return true;
  }
}
