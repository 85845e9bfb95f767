import { GeoIpDatabase } from './geoip-database.js';
import type { AsnLookup, AsnRecord, CityLookup, CityRecord, GeoIpLogger } from './geoip.types.js';

/** Options of `GeoIpService.open`; a database whose path is unset or empty is simply absent. */
export interface GeoIpServiceOptions {
  /** Path of a GeoLite2/GeoIP2 City .mmdb (`GEOIP_CITY_DB`). */
  cityPath?: string;
  /** Path of a GeoLite2/GeoIP2 ASN .mmdb (`GEOIP_ASN_DB`). */
  asnPath?: string;
  /** @default console */
  logger?: GeoIpLogger;
  /** How often to check the files for replacement, in ms; 0 turns watching off. @default 30000 */
  watchIntervalMs?: number;
}

/** City and ASN lookups for the request path: GeoIP session binding and event context. */
export class GeoIpService {
  private constructor(
    private readonly cityDb: GeoIpDatabase<CityRecord> | null,
    private readonly asnDb: GeoIpDatabase<AsnRecord> | null,
  ) {}

  /**
   * Opens and checks the configured databases.
   * @throws GeoIpConfigError naming the variable and the file when one is missing, unreadable, corrupt or of the wrong type.
   */
  static async open(options: GeoIpServiceOptions = {}): Promise<GeoIpService> {
    const { cityPath, asnPath, logger, watchIntervalMs } = options;
    const city = cityPath
      ? await GeoIpDatabase.open<CityRecord>({ path: cityPath, kind: 'city', logger, watchIntervalMs })
      : null;
    try {
      const asn = asnPath
        ? await GeoIpDatabase.open<AsnRecord>({ path: asnPath, kind: 'asn', logger, watchIntervalMs })
        : null;
      return new GeoIpService(city, asn);
    } catch (error) {
      city?.close();
      throw error;
    }
  }

  /** Whether a City database is configured. */
  get hasCity(): boolean {
    return this.cityDb !== null;
  }

  /** Whether an ASN database is configured. */
  get hasAsn(): boolean {
    return this.asnDb !== null;
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
    return this.cityDb === null ? null : this.cityDb.lookupWith(ip, toCityLookup);
  }

  /** The ASN record, matched network and ASN context of an address; null when unknown, unconfigured or not an IP. */
  asn(ip: string): AsnLookup | null {
    return this.asnDb === null ? null : this.asnDb.lookupWith(ip, toAsnLookup);
  }

  /** Stops watching the files. */
  close(): void {
    this.cityDb?.close();
    this.asnDb?.close();
  }
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
