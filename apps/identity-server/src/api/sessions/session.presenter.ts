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
    return {
      uuid: session.uuid,
      current: session.uuid === currentUuid,
      // authentik's `user` is the pk; the user itself is in `user_obj` (authentik's naming for expansions).
      user: session.user.pk,
      user_obj: toPublicUser(session.user),
      last_ip: session.lastIp,
      last_user_agent: session.lastUserAgent,
      user_agent: parsedUserAgent(session.lastUserAgent),
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

const orNull = (part: string) => (part === '' ? null : part);

/** `128.0.1` as authentik's parser splits it: major, minor, patch (empty strings when absent). */
function versionParts(version: string | undefined): [string, string, string, string] {
  const [major = '', minor = '', patch = '', patchMinor = ''] = (version ?? '').split('.');
  return [major, minor, patch, patchMinor];
}

/**
 * A user agent in authentik's shape (`user_agent`, `os`, `device`, `string`), with this server's
 * own `browser` and `os.version` / `device.family` that the web UI reads. Unknown parts are
 * "Other" (family), null (os/device details) or "" (browser version parts), as authentik has them.
 */
export function parsedUserAgent(text: string) {
  const ua = new UAParser(text).getResult();
  const [major, minor, patch] = versionParts(ua.browser.version);
  const os = versionParts(ua.os.version);
  return {
    user_agent: { family: ua.browser.name ?? 'Other', major, minor, patch },
    os: {
      family: ua.os.name ?? 'Other',
      major: orNull(os[0]),
      minor: orNull(os[1]),
      patch: orNull(os[2]),
      patch_minor: orNull(os[3]),
      version: ua.os.version ?? '',
    },
    device: {
      family: ua.device.model ?? ua.device.type ?? 'Other',
      brand: ua.device.vendor ?? null,
      model: ua.device.model ?? null,
    },
    string: text,
    browser: { family: ua.browser.name ?? 'Other', version: ua.browser.version ?? '' },
  };
}
