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
}

type GeoIpPaths = 'geoipCityDb' | 'geoipAsnDb' | 'geoipCityDbOverlay' | 'geoipAsnDbOverlay';

export type ResolvedUserLoginOptions = Required<Omit<UserLoginModuleOptions, GeoIpPaths>> &
  Pick<UserLoginModuleOptions, GeoIpPaths>;

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
  };
}

/** Injection token of the resolved options. */
export const USER_LOGIN_OPTIONS = Symbol('USER_LOGIN_OPTIONS');
