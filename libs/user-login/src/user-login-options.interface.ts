/** Options of {@link UserLoginModule}; every field has a default. */
export interface UserLoginModuleOptions {
  /** Path to a MaxMind City database (GeoLite2/GeoIP2 City), for GeoIP binding. @default undefined */
  geoipCityDb?: string;
  /** Path to a MaxMind ASN database (GeoLite2/GeoIP2 ASN), for network binding. @default undefined */
  geoipAsnDb?: string;
  /** Path to a City database of your own networks, consulted before `geoipCityDb`. @default undefined */
  geoipCityDbOverlay?: string;
  /** Path to an ASN database of your own networks, consulted before `geoipAsnDb`. @default undefined */
  geoipAsnDbOverlay?: string;
  /** Name of the session cookie. @default 'idp_session' */
  cookieName?: string;
  /** `Secure` on cookies: `auto` sets it when the request came over https. @default 'auto' */
  cookieSecure?: 'auto' | 'true' | 'false';
  /** Server-side lifetime of a browser session (`seconds=0` stages), renewed while used. @default 1 day */
  browserSessionIdleMs?: number;
  /** Where a browser whose session binding broke is sent (with `?next=`). @default '/flows/-/default/authentication/' */
  loginPath?: string;
  /**
   * Keep checked sessions in memory, invalidated through PostgreSQL `LISTEN`/`NOTIFY` (and not
   * used while that connection is down). Off: every request reads the database.
   * @default true
   */
  sessionCache?: boolean;
  /** At most this many sessions are cached (about 2.7 KB each); the oldest go first. @default 50_000 */
  sessionCacheMaxEntries?: number;
  /**
   * How long `last_ip` / `last_used` / `last_user_agent` changes wait to be written, coalesced per
   * session; 0 writes each change before the request goes on.
   * @default 1000
   */
  activityFlushMs?: number;
  /** First delay before the invalidation listener reconnects (doubling up to 10 s). @default 1000 */
  listenerReconnectMs?: number;
  /**
   * Connection string for the cache's `LISTEN` connection, when the pool's must not be used for
   * it (PgBouncer in transaction mode). @default the TypeORM connection's settings
   */
  listenerUrl?: string;
  /** Lifetime of a device-bound session's bound cookie (DBSC); a refresh by the device's key renews it. @default 10 minutes */
  dbscCookieTtlMs?: number;
}

// Options without a default: unset means not configured.
type OptionalOptions = 'geoipCityDb' | 'geoipAsnDb' | 'geoipCityDbOverlay' | 'geoipAsnDbOverlay' | 'listenerUrl';

export type ResolvedUserLoginOptions = Required<Omit<UserLoginModuleOptions, OptionalOptions>> &
  Pick<UserLoginModuleOptions, OptionalOptions>;

/** Merges defaults into options, in this one place. */
export function resolveUserLoginOptions(options: UserLoginModuleOptions): ResolvedUserLoginOptions {
  return {
    geoipCityDb: options.geoipCityDb || undefined,
    geoipAsnDb: options.geoipAsnDb || undefined,
    geoipCityDbOverlay: options.geoipCityDbOverlay || undefined,
    geoipAsnDbOverlay: options.geoipAsnDbOverlay || undefined,
    cookieName: options.cookieName ?? 'idp_session',
    cookieSecure: options.cookieSecure ?? 'auto',
    browserSessionIdleMs: options.browserSessionIdleMs ?? 24 * 3600 * 1000,
    loginPath: options.loginPath ?? '/flows/-/default/authentication/',
    sessionCache: options.sessionCache ?? true,
    sessionCacheMaxEntries: options.sessionCacheMaxEntries ?? 50_000,
    activityFlushMs: options.activityFlushMs ?? 1000,
    listenerReconnectMs: options.listenerReconnectMs ?? 1000,
    listenerUrl: options.listenerUrl || undefined,
    dbscCookieTtlMs: options.dbscCookieTtlMs ?? 10 * 60_000,
  };
}

/** Injection token of the resolved options. */
export const USER_LOGIN_OPTIONS = Symbol('USER_LOGIN_OPTIONS');
