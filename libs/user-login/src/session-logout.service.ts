import {
  clientIp,
  EventService,
  httpRequestContext,
  toEventUser,
  type HttpRequestLike,
  type HttpResponseLike,
} from '@idp/core';
import { Injectable } from '@nestjs/common';
import { IpFactsService } from './ip-facts.service.js';
import { SessionAuthService } from './session-auth.service.js';
import { SessionCookieService } from './session-cookie.service.js';
import { TerminateSessionsService } from './terminate-sessions.service.js';

/** Signs the requesting browser out: its session ends, its cookie is cleared, and the log says so. */
@Injectable()
export class SessionLogoutService {
  constructor(
    private readonly auth: SessionAuthService,
    private readonly terminator: TerminateSessionsService,
    private readonly cookies: SessionCookieService,
    private readonly ipFacts: IpFactsService,
    private readonly events: EventService,
  ) {}

  /** Returns whether a session was ended; the cookie is cleared either way. */
  async logout(request: HttpRequestLike, response: HttpResponseLike): Promise<boolean> {
    const found = await this.auth.find(request);
    this.cookies.clear(request, response);
    if (!found || !(await this.terminator.terminate(found.session.uuid, 'logout'))) return false;
    const ip = clientIp(request);
    await this.events.record({
      action: 'logout',
      app: 'idp.user_login',
      user: toEventUser(found.user),
      clientIp: ip,
      context: {
        ...this.ipFacts.eventContext(this.ipFacts.facts(ip)),
        http_request: httpRequestContext(request),
        logout_reason: 'User logged out',
        session_uuid: found.session.uuid,
      },
    });
    return true;
  }
}
