import { toPublicUser } from '@idp/core';
import { SessionsService, type Session } from '@idp/user-login';
import { Injectable } from '@nestjs/common';
import { UAParser } from 'ua-parser-js';

/** Shapes a session for the API: who, from where (location and network), and which browser. */
@Injectable()
export class SessionPresenter {
  constructor(private readonly sessions: SessionsService) {}

  present(session: Session, currentUuid: string | null) {
    const where = this.sessions.whereabouts(session.lastIp);
    const ua = new UAParser(session.lastUserAgent).getResult();
    return {
      uuid: session.uuid,
      current: session.uuid === currentUuid,
      user: toPublicUser(session.user),
      last_ip: session.lastIp,
      last_user_agent: session.lastUserAgent,
      user_agent: {
        browser: { family: ua.browser.name ?? 'Other', version: ua.browser.version ?? '' },
        os: { family: ua.os.name ?? 'Other', version: ua.os.version ?? '' },
        device: { family: ua.device.model ?? ua.device.type ?? 'Other' },
      },
      created: session.created,
      last_used: session.lastUsed,
      expires: session.expires,
      browser_session: session.browserSession,
      // What the session is held to, so people can tell why it may end (null: no idle timeout).
      idle_expires: session.idleExpires,
      network_binding: session.networkBinding,
      geoip_binding: session.geoipBinding,
      binding_mode: session.bindingMode,
      known_device: session.knownDevice,
      device_bound: Boolean(session.deviceBinding?.publicKey),
      geo_ip: where.geo,
      asn: where.asn,
    };
  }
}
