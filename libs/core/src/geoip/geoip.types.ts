// Record shapes of MaxMind's GeoLite2/GeoIP2 City and ASN databases (the parts this server reads;
// real records carry more keys, e.g. `postal` or `traits`), and the context shapes of the events in docs/api.md.

/** Localised names by language code, e.g. `{ en: 'Germany', de: 'Deutschland' }`. */
export type GeoNames = Readonly<Record<string, string>>;

/** The `continent` of a City record. */
export interface GeoContinent {
  readonly code: string;
  readonly geoname_id: number;
  readonly names: GeoNames;
}

/** A `country`, `registered_country` or `represented_country` of a City record. */
export interface GeoCountry {
  readonly geoname_id: number;
  readonly iso_code: string;
  readonly names: GeoNames;
  readonly is_in_european_union?: boolean;
}

/** The `city` of a City record. */
export interface GeoCity {
  readonly geoname_id: number;
  readonly names: GeoNames;
}

/** One of the `subdivisions` (state, region) of a City record, largest first. */
export interface GeoSubdivision {
  readonly geoname_id: number;
  readonly iso_code: string;
  readonly names: GeoNames;
}

/** The `location` of a City record. */
export interface GeoLocation {
  readonly latitude?: number;
  readonly longitude?: number;
  /** Kilometres around the coordinates. */
  readonly accuracy_radius?: number;
  readonly time_zone?: string;
  readonly metro_code?: number;
}

/** A record of a GeoLite2/GeoIP2 City database; every part is optional, as in MaxMind's data. */
export interface CityRecord {
  readonly continent?: GeoContinent;
  readonly country?: GeoCountry;
  readonly registered_country?: GeoCountry;
  readonly represented_country?: GeoCountry & { readonly type?: string };
  readonly city?: GeoCity;
  readonly location?: GeoLocation;
  readonly postal?: { readonly code: string };
  readonly subdivisions?: readonly GeoSubdivision[];
}

/** A record of a GeoLite2/GeoIP2 ASN database. */
export interface AsnRecord {
  readonly autonomous_system_number?: number;
  readonly autonomous_system_organization?: string;
}

/** The GeoIP part of an event context and of a session binding: codes, coordinates and the English city name ('' when unknown). */
export interface GeoContext {
  continent: string;
  country: string;
  lat: number | null;
  long: number | null;
  city: string;
}

/** The ASN part of an event context and of a session binding; `network` is the matched CIDR, IPv4 in dotted form. */
export interface AsnContext {
  asn: number;
  as_org: string;
  network: string;
}

/** A database hit: the record and the network (CIDR) it was stored for. */
export interface GeoIpHit<T> {
  readonly record: T;
  readonly network: string;
}

/** A City lookup result with its event/binding context. */
export interface CityLookup extends GeoIpHit<CityRecord> {
  readonly context: GeoContext;
}

/** An ASN lookup result with its event/binding context. */
export interface AsnLookup extends GeoIpHit<AsnRecord> {
  readonly context: AsnContext;
}

/** Where GeoIP messages go; Nest's `Logger` fits. */
export interface GeoIpLogger {
  log(message: string): void;
  error(message: string): void;
}
