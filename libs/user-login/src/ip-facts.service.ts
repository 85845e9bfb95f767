import { GeoIpService, type AsnContext, type GeoContext } from '@idp/core';
import { Injectable } from '@nestjs/common';
import type { BindingLevels, GeoFacts, IpFacts } from './domain/index.js';

/** Which databases a caller needs answers from. */
export interface IpFactsNeeds {
  asn: boolean;
  city: boolean;
}

const EVERYTHING: IpFactsNeeds = Object.freeze({ asn: true, city: true });

// Addresses whose answers are kept; a full table is emptied (cheaper than tracking age, and an
// address that matters is back after one lookup).
const MAX_CACHED_IPS = 20_000;

/** What the databases said about one IP; `undefined` where that database was not asked yet. */
interface CachedFacts {
  asn?: AsnContext | null;
  geo?: GeoFacts | null;
}

/** Looks an IP up in the ASN and City databases and shapes the result for binding checks and events. */
@Injectable()
export class IpFactsService {
  // Answers per IP, valid for the database files they came from (a reload of any of them,
  // overlays included, empties the table).
  private readonly known = new Map<string, CachedFacts>();
  private knownFrom: unknown[] = [];

  constructor(private readonly geoip: GeoIpService) {}

  /**
   * What the databases know about `ip`. A database left out of `needs` is not consulted and its
   * part reads as `null`, so pass only what the consumer actually reads.
   */
  facts(ip: string, needs: IpFactsNeeds = EVERYTHING): IpFacts {
    return { ip, asn: needs.asn ? this.asnOf(ip) : null, geo: needs.city ? this.geoOf(ip) : null };
  }

  /** The databases a binding check at these levels reads; both false means no lookup at all. */
  needsFor(levels: BindingLevels): IpFactsNeeds {
    return { asn: levels.network !== 'no_binding', city: levels.geoip !== 'no_binding' };
  }

  /** `facts` with the parts `needs` skipped filled in, for an event that describes the IP in full. */
  complete(facts: IpFacts, needs: IpFactsNeeds): IpFacts {
    return {
      ip: facts.ip,
      asn: needs.asn ? facts.asn : this.asnOf(facts.ip),
      geo: needs.city ? facts.geo : this.geoOf(facts.ip),
    };
  }

  /** The `geo` and `asn` parts of an event's context, present only when the database knows the IP. */
  eventContext(facts: IpFacts): { geo?: GeoContext; asn?: AsnContext } {
    return {
      ...(facts.geo ? { geo: facts.geo.context } : {}),
      ...(facts.asn ? { asn: facts.asn } : {}),
    };
  }

  private asnOf(ip: string): AsnContext | null {
    const entry = this.entry(ip);
    if (entry.asn === undefined) entry.asn = this.geoip.asn(ip)?.context ?? null;
    return entry.asn;
  }

  private geoOf(ip: string): GeoFacts | null {
    const entry = this.entry(ip);
    if (entry.geo === undefined) entry.geo = this.lookUpGeo(ip);
    return entry.geo;
  }

  private entry(ip: string): CachedFacts {
    const g = this.geoip;
    const from = [g.asnDatabase?.info, g.cityDatabase?.info, g.asnOverlayDatabase?.info, g.cityOverlayDatabase?.info];
    if (from.some((info, i) => info !== this.knownFrom[i]) || this.known.size >= MAX_CACHED_IPS) {
      this.known.clear();
      this.knownFrom = from;
    }
    let entry = this.known.get(ip);
    if (!entry) this.known.set(ip, (entry = {}));
    return entry;
  }

  private lookUpGeo(ip: string): GeoFacts | null {
    const city = this.geoip.city(ip);
    if (!city) return null;
    return {
      context: city.context,
      continent: city.record.continent,
      country: city.record.country,
      city: city.record.city,
    };
  }
}
