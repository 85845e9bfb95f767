import { DEFAULT_TRUSTED_PROXY_CIDRS, parseCidrList } from '@idp/core';
import type { LoginThrottleLimits } from '@idp/flows';
import { DurationFormatError, parseDuration } from '@idp/user-login';
import { parseLoginThrottle } from './login-throttle.js';

/** Everything the identity server reads from its environment (see `.env.example`). */
export interface AppConfig {
  port: number;
  host: string;
  geoipCityDb?: string;
  geoipAsnDb?: string;
  geoipCityDbOverlay?: string;
  geoipAsnDbOverlay?: string;
  trustedProxyCidrs: string[];
  sessionCookieName: string;
  cookieSecure: 'auto' | 'true' | 'false';
  sessionBrowserIdleMs: number;
  eventRetentionMs: number;
  loginThrottle: LoginThrottleLimits;
  bootstrap: { password?: string; email?: string; token?: string };
}

/** A setting that cannot be used; the message names the variable and says how to fix it. */
export class ConfigError extends Error {}

/**
 * Reads and checks the configuration at start-up, so a bad value stops the server with a clear
 * message instead of failing on the first request.
 * @throws ConfigError
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const text = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const port = Number(text('PORT') ?? '9000');
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`PORT must be a port number (0-65535), got "${env.PORT}"`);
  const cookieSecure = (text('COOKIE_SECURE') ?? 'auto').toLowerCase();
  if (cookieSecure !== 'auto' && cookieSecure !== 'true' && cookieSecure !== 'false') {
    throw new ConfigError(`COOKIE_SECURE must be auto, true or false, got "${env.COOKIE_SECURE}"`);
  }
  const cookieName = text('SESSION_COOKIE_NAME') ?? 'idp_session';
  if (!/^[A-Za-z0-9_-]+$/.test(cookieName))
    throw new ConfigError('SESSION_COOKIE_NAME may hold only letters, digits, _ and -');
  let trustedProxyCidrs: string[];
  try {
    trustedProxyCidrs = parseCidrList(env.TRUSTED_PROXY_CIDRS ?? DEFAULT_TRUSTED_PROXY_CIDRS.join(','));
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  let loginThrottle: LoginThrottleLimits;
  try {
    loginThrottle = parseLoginThrottle(text('LOGIN_THROTTLE') ?? '');
  } catch (error) {
    throw new ConfigError(`LOGIN_THROTTLE: ${(error as Error).message}`);
  }
  return {
    port,
    host: text('HOST') ?? '127.0.0.1',
    geoipCityDb: text('GEOIP_CITY_DB'),
    geoipAsnDb: text('GEOIP_ASN_DB'),
    geoipCityDbOverlay: text('GEOIP_CITY_DB_OVERLAY'),
    geoipAsnDbOverlay: text('GEOIP_ASN_DB_OVERLAY'),
    trustedProxyCidrs,
    sessionCookieName: cookieName,
    cookieSecure,
    sessionBrowserIdleMs: positiveDuration('SESSION_BROWSER_IDLE', text('SESSION_BROWSER_IDLE') ?? 'days=1'),
    eventRetentionMs: positiveDuration('EVENT_RETENTION', text('EVENT_RETENTION') ?? 'days=365'),
    loginThrottle,
    bootstrap: {
      password: env.BOOTSTRAP_PASSWORD || undefined,
      email: text('BOOTSTRAP_EMAIL'),
      token: env.BOOTSTRAP_TOKEN || undefined,
    },
  };
}

function positiveDuration(name: string, value: string): number {
  try {
    const ms = parseDuration(value);
    if (ms <= 0) throw new ConfigError(`${name} must be a positive duration such as "days=1", got "${value}"`);
    return ms;
  } catch (error) {
    if (error instanceof DurationFormatError) throw new ConfigError(`${name}: ${error.message}`);
    throw error;
  }
}
