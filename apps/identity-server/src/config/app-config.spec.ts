import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 9000,
      host: '127.0.0.1',
      sessionCookieName: 'idp_session',
      cookieSecure: 'auto',
      sessionBrowserIdleMs: 86_400_000,
      eventRetentionMs: 365 * 86_400_000,
      trustedProxyCidrs: ['127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fe80::/10', '::1/128'],
    });
    expect(config.geoipCityDb).toBeUndefined();
    expect(config.bootstrap).toEqual({ password: undefined, email: undefined, token: undefined });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      GEOIP_CITY_DB: '/db/city.mmdb',
      GEOIP_ASN_DB: '/db/asn.mmdb',
      TRUSTED_PROXY_CIDRS: '10.0.0.0/8, 192.0.2.1',
      SESSION_COOKIE_NAME: 'sid',
      COOKIE_SECURE: 'TRUE',
      SESSION_BROWSER_IDLE: 'hours=12',
      EVENT_RETENTION: 'days=30',
      BOOTSTRAP_PASSWORD: 'pw',
      BOOTSTRAP_EMAIL: 'a@b.c',
      BOOTSTRAP_TOKEN: 'tok',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      geoipCityDb: '/db/city.mmdb',
      geoipAsnDb: '/db/asn.mmdb',
      trustedProxyCidrs: ['10.0.0.0/8', '192.0.2.1'],
      sessionCookieName: 'sid',
      cookieSecure: 'true',
      sessionBrowserIdleMs: 12 * 3_600_000,
      eventRetentionMs: 30 * 86_400_000,
      bootstrap: { password: 'pw', email: 'a@b.c', token: 'tok' },
    });
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT must be a port number/],
    [{ PORT: '70000' }, /PORT must be a port number/],
    [{ COOKIE_SECURE: 'sometimes' }, /COOKIE_SECURE must be auto, true or false/],
    [{ SESSION_COOKIE_NAME: 'a b' }, /SESSION_COOKIE_NAME may hold only/],
    [{ TRUSTED_PROXY_CIDRS: '10.0.0.0/33' }, /TRUSTED_PROXY_CIDRS: "10.0.0.0\/33" is not an IP address or CIDR/],
    [{ TRUSTED_PROXY_CIDRS: 'localhost' }, /"localhost" is not an IP address or CIDR/],
    [{ SESSION_BROWSER_IDLE: 'days' }, /^SESSION_BROWSER_IDLE: days is not in the correct format/],
    [{ SESSION_BROWSER_IDLE: 'seconds=0' }, /SESSION_BROWSER_IDLE must be a positive duration/],
    [{ EVENT_RETENTION: 'years=1' }, /^EVENT_RETENTION: years=1 is not in the correct format.*years/],
  ])('refuses %j with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
