/**
 * Session binding rules (docs/api.md, "Session binding"): compare what the ASN and City databases say about a
 * session's `last_ip` with what they say about the IP of the current request.
 */
import ipaddr from 'ipaddr.js';

/** Network binding levels, weakest first; each includes the ones before it. */
export const NETWORK_BINDINGS = ['no_binding', 'bind_asn', 'bind_asn_network', 'bind_asn_network_ip'] as const;

/** A stage's or session's `network_binding`. */
export type NetworkBinding = (typeof NETWORK_BINDINGS)[number];

/** GeoIP binding levels, weakest first; each includes the ones before it. */
export const GEOIP_BINDINGS = [
  'no_binding',
  'bind_continent',
  'bind_continent_country',
  'bind_continent_country_city',
] as const;

/** A stage's or session's `geoip_binding`. */
export type GeoIpBinding = (typeof GEOIP_BINDINGS)[number];

/** Every reason code a broken binding can report; part of the `logout` event contract. */
export const BINDING_REASONS = [
  'network.missing',
  'network.asn',
  'network.asn_network',
  'network.ip',
  'geoip.missing',
  'geoip.continent',
  'geoip.country',
  'geoip.city',
] as const;

/** Why a binding broke, as written to `context.binding.reason`. */
export type BindingReason = (typeof BINDING_REASONS)[number];

/** The ASN database's answer for one IP, in the shape of the event context's `asn`. */
export interface AsnFacts {
  asn: number;
  as_org: string;
  network: string;
}

/** The flat location summary written to the event context's `geo`. */
export interface GeoContext {
  continent: string;
  country: string;
  lat: number | null;
  long: number | null;
  city: string;
}

/** Localised names of a MaxMind record, keyed by language (`en`, `de`, ...). */
export type GeoNames = Readonly<Record<string, string>>;

/** MaxMind's continent record. */
export interface ContinentRecord {
  code?: string;
  geoname_id?: number;
  names?: GeoNames;
}

/** MaxMind's country record (extra fields such as `is_in_european_union` are kept as they are). */
export interface CountryRecord {
  iso_code?: string;
  geoname_id?: number;
  names?: GeoNames;
}

/** MaxMind's city record. */
export interface CityRecord {
  geoname_id?: number;
  names?: GeoNames;
}

/** The City database's answer for one IP: the flat context plus the raw records it came from. */
export interface GeoFacts {
  context: GeoContext;
  continent?: ContinentRecord;
  country?: CountryRecord;
  city?: CityRecord;
}

/** Everything the databases know about one IP; `null` where the database has no record. */
export interface IpFacts {
  ip: string;
  asn: AsnFacts | null;
  geo: GeoFacts | null;
}

/** The binding levels stored on a session. */
export interface BindingLevels {
  network: NetworkBinding;
  geoip: GeoIpBinding;
}

/** The outcome of {@link checkBinding}; the values are detached JSON-safe copies. */
export type BindingVerdict =
  { broken: false } | { broken: true; reason: BindingReason; previous_value: unknown; new_value: unknown };

/** A verdict that says the binding broke. */
export type BrokenVerdict = Extract<BindingVerdict, { broken: true }>;

const PASS: BindingVerdict = Object.freeze({ broken: false });

/**
 * Whether `value` is a valid network binding level.
 * @example isNetworkBinding('bind_asn') // true
 */
export function isNetworkBinding(value: unknown): value is NetworkBinding {
  return (NETWORK_BINDINGS as readonly unknown[]).includes(value);
}

/**
 * Whether `value` is a valid GeoIP binding level.
 * @example isGeoIpBinding('bind_continent') // true
 */
export function isGeoIpBinding(value: unknown): value is GeoIpBinding {
  return (GEOIP_BINDINGS as readonly unknown[]).includes(value);
}

/**
 * Whether a network binding level needs the MaxMind ASN database to be configured.
 * @example bindingRequiresAsn('no_binding') // false
 */
export function bindingRequiresAsn(level: NetworkBinding): boolean {
  return level !== 'no_binding';
}

/**
 * Whether a GeoIP binding level needs the MaxMind City database (which also holds continents and
 * countries) to be configured.
 * @example bindingRequiresCity('bind_continent') // true
 */
export function bindingRequiresCity(level: GeoIpBinding): boolean {
  return level !== 'no_binding';
}

/**
 * Checks whether moving from `previous` to `current` breaks the session's binding: the network
 * levels first, then the GeoIP levels, each level also checking the weaker ones before it.
 * IPs are compared as given, so pass them normalised (see `normalizeIp` in `@idp/core`).
 * `ipv6Prefix` (the stage's `ipv6_prefix`) makes two IPv6 addresses in the same /N the same IP
 * for `network.ip`.
 * @example checkBinding({ network: 'bind_asn', geoip: 'no_binding' }, before, after)
 * // { broken: true, reason: 'network.asn', previous_value: 3320, new_value: 6805 }
 */
export function checkBinding(
  levels: BindingLevels,
  previous: IpFacts,
  current: IpFacts,
  ipv6Prefix = 128,
): BindingVerdict {
  if (previous.ip === current.ip) return PASS;
  return (
    checkNetworkBinding(levels.network, previous, current, ipv6Prefix) ??
    checkGeoIpBinding(levels.geoip, previous, current) ??
    PASS
  );
}

/**
 * The network half of {@link checkBinding}: the broken verdict, or null when the move keeps it.
 * @example checkNetworkBinding('bind_asn_network_ip', v6a, v6b, 64) // null when both are in one /64
 */
export function checkNetworkBinding(
  level: NetworkBinding,
  previous: IpFacts,
  current: IpFacts,
  ipv6Prefix = 128,
): BrokenVerdict | null {
  const rank = NETWORK_BINDINGS.indexOf(level);
  if (rank === 0 || previous.ip === current.ip) return null;
  const before = previous.asn;
  const after = current.asn;
  if (!before || !after) return broken('network.missing', before ?? {}, after ?? {});
  if (before.asn !== after.asn) return broken('network.asn', before.asn, after.asn);
  if (rank >= 2 && before.network !== after.network) {
    return broken('network.asn_network', before.network, after.network);
  }
  if (rank >= 3 && !sameIp(previous.ip, current.ip, ipv6Prefix)) return broken('network.ip', previous.ip, current.ip);
  return null;
}

/**
 * Whether two normalised IPs count as the same address for `network.ip`: equal text, or for two
 * IPv6 addresses, equal first `ipv6Prefix` bits (privacy addresses change the low 64 bits).
 * @example sameIp('2001:db8::1', '2001:db8::2', 64) // true
 */
export function sameIp(a: string, b: string, ipv6Prefix = 128): boolean {
  if (a === b) return true;
  if (ipv6Prefix >= 128 || !ipaddr.IPv6.isValid(a) || !ipaddr.IPv6.isValid(b)) return false;
  return ipaddr.IPv6.parse(a).match(ipaddr.IPv6.parse(b), ipv6Prefix);
}

/** The GeoIP half of {@link checkBinding}: the broken verdict, or null when the move keeps it. */
export function checkGeoIpBinding(level: GeoIpBinding, previous: IpFacts, current: IpFacts): BrokenVerdict | null {
  const rank = GEOIP_BINDINGS.indexOf(level);
  if (rank === 0 || previous.ip === current.ip) return null;
  const before = previous.geo;
  const after = current.geo;
  if (!before || !after) return broken('geoip.missing', before?.context ?? {}, after?.context ?? {});
  return (
    compare('geoip.continent', continentOf(before), continentOf(after), 'code') ??
    (rank >= 2 ? compare('geoip.country', countryOf(before), countryOf(after), 'iso_code') : null) ??
    (rank >= 3 ? compare('geoip.city', cityOf(before), cityOf(after), null) : null)
  );
}

function compare(
  reason: BindingReason,
  before: AnyRecord | undefined,
  after: AnyRecord | undefined,
  codeField: 'code' | 'iso_code' | null,
): BrokenVerdict | null {
  return sameRecord(before, after, codeField) ? null : broken(reason, before ?? {}, after ?? {});
}

// Without the raw record, a minimal one is derived from the flat context so a caller that only
// has the context still gets a meaningful comparison.
function continentOf(geo: GeoFacts): ContinentRecord | undefined {
  return geo.continent ?? (geo.context.continent ? { code: geo.context.continent } : undefined);
}

function countryOf(geo: GeoFacts): CountryRecord | undefined {
  return geo.country ?? (geo.context.country ? { iso_code: geo.context.country } : undefined);
}

function cityOf(geo: GeoFacts): CityRecord | undefined {
  return geo.city ?? (geo.context.city ? { names: { en: geo.context.city } } : undefined);
}

interface AnyRecord {
  geoname_id?: number;
  code?: string;
  iso_code?: string;
  names?: GeoNames;
}

// geoname_id is the stable identity; codes and English names are fallbacks for records without it.
function sameRecord(a: AnyRecord | undefined, b: AnyRecord | undefined, codeField: 'code' | 'iso_code' | null) {
  if (!a || !b) return !a && !b;
  if (a.geoname_id != null && b.geoname_id != null) return a.geoname_id === b.geoname_id;
  if (codeField && (a[codeField] != null || b[codeField] != null)) {
    return a[codeField] === b[codeField];
  }
  return a.names?.en === b.names?.en;
}

function broken(reason: BindingReason, previousValue: unknown, newValue: unknown): BrokenVerdict {
  return { broken: true, reason, previous_value: toJson(previousValue), new_value: toJson(newValue) };
}

// A JSON round trip both detaches the caller's objects and drops anything jsonb cannot store.
function toJson(value: unknown): unknown {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as unknown);
}
