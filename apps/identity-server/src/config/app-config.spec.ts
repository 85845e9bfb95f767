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
      sessionCache: true,
      sessionActivityFlushMs: 1000,
      dbscCookieTtlMs: 600_000,
      trustedProxyCidrs: ['127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fe80::/10', '::1/128'],
      embeddedPostgresDir: './.data/postgres',
      metricsPort: 9300,
      logLevel: 'info',
      shutdownTimeoutMs: 10_000,
    });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.logFormat).toBeUndefined();
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
      SESSION_CACHE: 'OFF',
      SESSION_ACTIVITY_FLUSH: 'seconds=0',
      DBSC_COOKIE_TTL: 'minutes=2',
      BOOTSTRAP_PASSWORD: 'pw',
      BOOTSTRAP_EMAIL: 'a@b.c',
      BOOTSTRAP_TOKEN: 'tok',
      DATABASE_URL: 'postgres://u:p@db:5432/idp',
      EMBEDDED_POSTGRES_DIR: '/var/lib/idp/pg',
      METRICS_PORT: 'off',
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'json',
      SHUTDOWN_TIMEOUT: 'seconds=30',
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
      sessionCache: false,
      sessionActivityFlushMs: 0,
      dbscCookieTtlMs: 120_000,
      bootstrap: { password: 'pw', email: 'a@b.c', token: 'tok' },
      databaseUrl: 'postgres://u:p@db:5432/idp',
      embeddedPostgresDir: '/var/lib/idp/pg',
      metricsPort: null,
      logLevel: 'debug',
      logFormat: 'json',
      shutdownTimeoutMs: 30_000,
    });
  });

  it('treats blank values as unset', () => {
    expect(loadConfig({ PORT: '  ', METRICS_PORT: '', LOG_LEVEL: ' ' })).toMatchObject({
      port: 9000,
      metricsPort: 9300,
      logLevel: 'info',
    });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT: must be a port number (0-65535) (got "eighty")'],
    [{ PORT: '70000' }, 'PORT: must be a port number (0-65535) (got "70000")'],
    [{ PORT: '80.5' }, 'PORT: must be a port number'],
    [{ METRICS_PORT: 'none' }, 'METRICS_PORT: must be a port number (0-65535) or "off" (got "none")'],
    [{ COOKIE_SECURE: 'sometimes' }, 'COOKIE_SECURE: must be auto, true or false (got "sometimes")'],
    [{ SESSION_COOKIE_NAME: 'a b' }, 'SESSION_COOKIE_NAME: may hold only letters, digits, _ and -'],
    [{ TRUSTED_PROXY_CIDRS: '10.0.0.0/33' }, 'TRUSTED_PROXY_CIDRS: "10.0.0.0/33" is not an IP address or CIDR'],
    [{ TRUSTED_PROXY_CIDRS: 'localhost' }, 'TRUSTED_PROXY_CIDRS: "localhost" is not an IP address or CIDR'],
    [{ SESSION_BROWSER_IDLE: 'days' }, 'SESSION_BROWSER_IDLE: days is not in the correct format'],
    [{ SESSION_BROWSER_IDLE: 'seconds=0' }, 'SESSION_BROWSER_IDLE: must be a positive duration such as "days=1"'],
    [{ EVENT_RETENTION: 'years=1' }, 'EVENT_RETENTION: years=1 is not in the correct format'],
    [{ SHUTDOWN_TIMEOUT: '10' }, 'SHUTDOWN_TIMEOUT: 10 is not in the correct format'],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL: must be one of trace, debug, info, warn, error, fatal, silent'],
    [{ LOG_FORMAT: 'xml' }, 'LOG_FORMAT: must be json or pretty (got "xml")'],
    [{ DATABASE_URL: 'mysql://x@y/z' }, 'DATABASE_URL: use the form postgres://user:password@host:5432/database'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL: use the form postgres://'],
    [{ SESSION_CACHE: 'yes' }, 'SESSION_CACHE: must be on or off'],
    [
      { SESSION_ACTIVITY_FLUSH: 'minutes=2' },
      'SESSION_ACTIVITY_FLUSH: must be between seconds=0 (write at once) and minutes=1',
    ],
    [{ SESSION_ACTIVITY_FLUSH: 'seconds=-1' }, 'SESSION_ACTIVITY_FLUSH: must be between seconds=0'],
    [{ SESSION_CACHE_LISTEN_URL: 'redis://x' }, 'SESSION_CACHE_LISTEN_URL: use the form postgres://'],
  ])('refuses %j with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('names every wrong variable in one error, one line each', () => {
    const error = captureError(() =>
      loadConfig({ PORT: 'x', COOKIE_SECURE: 'maybe', LOG_FORMAT: 'xml', SESSION_BROWSER_IDLE: 'seconds=0' }),
    );
    expect(error.problems.map((line) => line.split(':')[0])).toEqual([
      'PORT',
      'COOKIE_SECURE',
      'SESSION_BROWSER_IDLE',
      'LOG_FORMAT',
    ]);
    expect(error.message.split('\n')).toHaveLength(5);
  });

  it('never repeats a password or token in the message', () => {
    const error = captureError(() => loadConfig({ PORT: 'x', DATABASE_URL: 'mysql://u:hunter2@db/idp' }));
    expect(error.message).toContain('DATABASE_URL: use the form');
    expect(error.message).not.toContain('hunter2');
  });
});

function captureError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}
