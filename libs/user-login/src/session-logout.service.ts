import { clientIp, type HttpRequestLike, type HttpResponseLike } from '@idp/core';
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
  ) {}

  /** Returns whether a session was ended; the cookie is cleared either way. */
  async logout(request: HttpRequestLike, response: HttpResponseLike): Promise<boolean> {
    const found = await this.auth.find(request);
    this.cookies.clear(request, response);
    if (!found) return false;
    // Where the browser signed out from: its location and network, when the databases know them.
    const context = this.ipFacts.eventContext(this.ipFacts.facts(clientIp(request)));
    return this.terminator.end(found.session.uuid, { reason: 'logout', request, context });
  }
}
