import type { GeoIpKind } from './geoip-config.error.js';
import { GeoIpDatabase } from './geoip-database.js';
import type { AsnLookup, AsnRecord, CityLookup, CityRecord, GeoIpLogger } from './geoip.types.js';

/** Options of `GeoIpService.open`; a database whose path is unset or empty is simply absent. */
export interface GeoIpServiceOptions {
  /** Path of a GeoLite2/GeoIP2 City .mmdb (`GEOIP_CITY_DB`). */
  cityPath?: string;
  /** Path of a GeoLite2/GeoIP2 ASN .mmdb (`GEOIP_ASN_DB`). */
  asnPath?: string;
  /** Path of a City .mmdb of the operator's own networks, consulted before `cityPath` (`GEOIP_CITY_DB_OVERLAY`). */
  cityOverlayPath?: string;
  /** Path of an ASN .mmdb of the operator's own networks, consulted before `asnPath` (`GEOIP_ASN_DB_OVERLAY`). */
  asnOverlayPath?: string;
  /** @default console */
  logger?: GeoIpLogger;
  /** How often to check the files for replacement, in ms; 0 turns watching off. @default 30000 */
  watchIntervalMs?: number;
}

/**
 * City and ASN lookups for the request path: GeoIP session binding and event context. Each kind
 * may have an overlay (a company's own ranges, built with `npm run geoip:build`) that answers
 * first; an address the overlay does not know is looked up in the main file.
 */
export class GeoIpService {
  private constructor(
    private readonly cityDb: GeoIpDatabase<CityRecord> | null,
    private readonly asnDb: GeoIpDatabase<AsnRecord> | null,
    private readonly cityOverlay: GeoIpDatabase<CityRecord> | null = null,
    private readonly asnOverlay: GeoIpDatabase<AsnRecord> | null = null,
  ) {}

  /**
   * Opens and checks the configured databases.
   * @throws GeoIpConfigError naming the variable and the file when one is missing, unreadable, corrupt or of the wrong type.
   */
  static async open(options: GeoIpServiceOptions = {}): Promise<GeoIpService> {
    const { logger, watchIntervalMs } = options;
    const opened: Array<GeoIpDatabase<never>> = [];
    const openOne = async <T>(path: string | undefined, kind: GeoIpKind): Promise<GeoIpDatabase<T> | null> => {
      if (!path) return null;
      const database = await GeoIpDatabase.open<T>({ path, kind, logger, watchIntervalMs });
      opened.push(database as GeoIpDatabase<never>);
      return database;
    };
    try {
      return new GeoIpService(
        await openOne<CityRecord>(options.cityPath, 'city'),
        await openOne<AsnRecord>(options.asnPath, 'asn'),
        await openOne<CityRecord>(options.cityOverlayPath, 'city_overlay'),
        await openOne<AsnRecord>(options.asnOverlayPath, 'asn_overlay'),
      );
    } catch (error) {
      for (const database of opened) database.close();
      throw error;
    }
  }

  /** Whether a City database (or a City overlay) is configured. */
  get hasCity(): boolean {
    return this.cityDb !== null || this.cityOverlay !== null;
  }

  /** Whether an ASN database (or an ASN overlay) is configured. */
  get hasAsn(): boolean {
    return this.asnDb !== null || this.asnOverlay !== null;
  }

  /** The City overlay in use; null when not configured. */
  get cityOverlayDatabase(): GeoIpDatabase<CityRecord> | null {
    return this.cityOverlay;
  }

  /** The ASN overlay in use; null when not configured. */
  get asnOverlayDatabase(): GeoIpDatabase<AsnRecord> | null {
    return this.asnOverlay;
  }

  /** The City database in use, e.g. to reload it or read its metadata; null when not configured. */
  get cityDatabase(): GeoIpDatabase<CityRecord> | null {
    return this.cityDb;
  }

  /** The ASN database in use; null when not configured. */
  get asnDatabase(): GeoIpDatabase<AsnRecord> | null {
    return this.asnDb;
  }

  /** The City record, matched network and GeoIP context of an address; null when unknown, unconfigured or not an IP. */
  city(ip: string): CityLookup | null {
    return (
      this.cityOverlay?.lookupWith(ip, toCityLookup) ??
      (this.cityDb === null ? null : this.cityDb.lookupWith(ip, toCityLookup))
    );
  }

  /** The ASN record, matched network and ASN context of an address; null when unknown, unconfigured or not an IP. */
  asn(ip: string): AsnLookup | null {
    return (
      this.asnOverlay?.lookupWith(ip, toAsnLookup) ??
      (this.asnDb === null ? null : this.asnDb.lookupWith(ip, toAsnLookup))
    );
  }

  /**
   * `city(ip)` and the prefix length of the network around `ip` whose addresses all get that same
   * answer (from the overlay and the main file together); null when `ip` is not an IP address.
   */
  cityRegion(ip: string): GeoIpRegion<CityLookup> | null {
    return combine(this.cityOverlay?.lookupRegion(ip, toCityLookup), this.cityDb?.lookupRegion(ip, toCityLookup));
  }

  /** `asn(ip)` and the prefix length of the network sharing that answer; see {@link cityRegion}. */
  asnRegion(ip: string): GeoIpRegion<AsnLookup> | null {
    return combine(this.asnOverlay?.lookupRegion(ip, toAsnLookup), this.asnDb?.lookupRegion(ip, toAsnLookup));
  }

  /** Stops watching the files. */
  close(): void {
    this.cityDb?.close();
    this.asnDb?.close();
    this.cityOverlay?.close();
    this.asnOverlay?.close();
  }
}

/** An answer and the prefix length of the network of addresses that all get it. */
export interface GeoIpRegion<R> {
  value: R | null;
  prefix: number;
}

// The overlay answers first. Where it has a record, its network is the region; where it has none,
// the main file answers, and the region is the smaller of the overlay's empty network and the
// main file's network (both contain the address, so one lies inside the other).
function combine<R>(
  overlay: GeoIpRegion<R> | null | undefined,
  main: GeoIpRegion<R> | null | undefined,
): GeoIpRegion<R> | null {
  if (overlay === null || main === null) return null;
  if (overlay?.value != null) return overlay;
  if (main === undefined) return overlay ?? { value: null, prefix: 0 };
  return overlay === undefined ? main : { value: main.value, prefix: Math.max(overlay.prefix, main.prefix) };
}

// Module-level projections, so a lookup allocates its result and nothing else.
function toCityLookup(record: CityRecord, network: string): CityLookup {
  const location = record.location;
  return {
    record,
    network,
    context: {
      continent: record.continent?.code ?? '',
      country: record.country?.iso_code ?? '',
      lat: location?.latitude ?? null,
      long: location?.longitude ?? null,
      city: record.city?.names?.en ?? '',
    },
  };
}

function toAsnLookup(record: AsnRecord, network: string): AsnLookup {
  return {
    record,
    network,
    context: {
      asn: record.autonomous_system_number ?? 0,
      as_org: record.autonomous_system_organization ?? '',
      network,
    },
  };
}
