import type { LoginThrottleLimits } from '@idp/flows';
import { describeIssues, envSchema } from './env.schema.js';

/** Everything the identity server reads from its environment (see `.env.example`). */
export interface AppConfig {
  /** Unset: the embedded PostgreSQL in {@link AppConfig.embeddedPostgresDir}. */
  databaseUrl?: string;
  embeddedPostgresDir: string;
  port: number;
  host: string;
  /** The Prometheus listener's port on {@link AppConfig.host}; null when turned off. */
  metricsPort: number | null;
  geoipCityDb?: string;
  geoipAsnDb?: string;
  geoipCityDbOverlay?: string;
  geoipAsnDbOverlay?: string;
  trustedProxyCidrs: string[];
  sessionCookieName: string;
  cookieSecure: 'auto' | 'true' | 'false';
  sessionBrowserIdleMs: number;
  eventRetentionMs: number;
  dbscCookieTtlMs: number;
  loginThrottle: LoginThrottleLimits;
  /** Session cache with LISTEN/NOTIFY invalidation (`SESSION_CACHE`, default on). */
  sessionCache: boolean;
  /** A direct connection for the session cache's LISTEN (`SESSION_CACHE_LISTEN_URL`), else the pool's. */
  sessionCacheListenUrl?: string;
  /** How long session activity waits to be written (`SESSION_ACTIVITY_FLUSH`, default 1 s; 0: at once). */
  sessionActivityFlushMs: number;
  /** First delay before the session cache's listener reconnects (no variable; tests shorten or stretch it). */
  sessionListenerReconnectMs: number;
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  /** Unset: pretty in a terminal, JSON otherwise. */
  logFormat?: 'json' | 'pretty';
  /** How long requests in flight may take to finish after SIGTERM. */
  shutdownTimeoutMs: number;
  bootstrap: { password?: string; email?: string; token?: string };
}

/** Settings that cannot be used; the message names every wrong variable, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and checks the configuration at start-up against {@link envSchema}, so a bad value stops
 * the server with a clear message instead of failing on the first request.
 * @throws ConfigError naming every wrong variable
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error, env));
  const vars = parsed.data;
  return {
    databaseUrl: vars.DATABASE_URL,
    embeddedPostgresDir: vars.EMBEDDED_POSTGRES_DIR,
    port: vars.PORT,
    host: vars.HOST,
    metricsPort: vars.METRICS_PORT,
    geoipCityDb: vars.GEOIP_CITY_DB,
    geoipAsnDb: vars.GEOIP_ASN_DB,
    geoipCityDbOverlay: vars.GEOIP_CITY_DB_OVERLAY,
    geoipAsnDbOverlay: vars.GEOIP_ASN_DB_OVERLAY,
    trustedProxyCidrs: vars.TRUSTED_PROXY_CIDRS,
    sessionCookieName: vars.SESSION_COOKIE_NAME,
    cookieSecure: vars.COOKIE_SECURE,
    sessionBrowserIdleMs: vars.SESSION_BROWSER_IDLE,
    eventRetentionMs: vars.EVENT_RETENTION,
    dbscCookieTtlMs: vars.DBSC_COOKIE_TTL,
    loginThrottle: vars.LOGIN_THROTTLE,
    sessionCache: vars.SESSION_CACHE === 'on',
    sessionCacheListenUrl: vars.SESSION_CACHE_LISTEN_URL,
    sessionActivityFlushMs: vars.SESSION_ACTIVITY_FLUSH,
    sessionListenerReconnectMs: 1000,
    logLevel: vars.LOG_LEVEL,
    logFormat: vars.LOG_FORMAT,
    shutdownTimeoutMs: vars.SHUTDOWN_TIMEOUT,
    bootstrap: {
      password: vars.BOOTSTRAP_PASSWORD || undefined,
      email: vars.BOOTSTRAP_EMAIL,
      token: vars.BOOTSTRAP_TOKEN || undefined,
    },
  };
}
