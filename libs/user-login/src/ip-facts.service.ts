import {
  GeoIpRegionCache,
  GeoIpService,
  type AsnContext,
  type CityLookup,
  type GeoContext,
  type GeoIpRegion,
} from '@idp/core';
import { Injectable } from '@nestjs/common';
import type { BindingLevels, GeoFacts, IpFacts } from './domain/index.js';

/** Which databases a caller needs answers from. */
export interface IpFactsNeeds {
  asn: boolean;
  city: boolean;
}

const EVERYTHING: IpFactsNeeds = Object.freeze({ asn: true, city: true });

// Networks whose answers are kept, per database; a full table is emptied (a network in use is
// back after one lookup).
const MAX_CACHED_NETWORKS = 20_000;

/** Looks an IP up in the ASN and City databases and shapes the result for binding checks and events. */
@Injectable()
export class IpFactsService {
  // Answers per network of the database files (every address of a network gets the same answer,
  // so a client moving within its network is looked up once), valid for the files they came
  // from: a reload of any of them, overlays included, empties both.
  private readonly asnByNetwork = new GeoIpRegionCache<AsnContext>(MAX_CACHED_NETWORKS);
  private readonly geoByNetwork = new GeoIpRegionCache<GeoFacts>(MAX_CACHED_NETWORKS);
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
    this.forgetOnReload();
    return this.asnByNetwork.get(ip, this.asnRegion);
  }

  private geoOf(ip: string): GeoFacts | null {
    this.forgetOnReload();
    return this.geoByNetwork.get(ip, this.geoRegion);
  }

  // Fields, not methods: the caches call them without a closure allocated per lookup.
  private readonly asnRegion = (ip: string): GeoIpRegion<AsnContext> | null => {
    const region = this.geoip.asnRegion(ip);
    return region && { value: region.value?.context ?? null, prefix: region.prefix };
  };

  private readonly geoRegion = (ip: string): GeoIpRegion<GeoFacts> | null => {
    const region = this.geoip.cityRegion(ip);
    return region && { value: region.value && geoFacts(region.value), prefix: region.prefix };
  };

  private forgetOnReload(): void {
    const g = this.geoip;
    const from = [g.asnDatabase?.info, g.cityDatabase?.info, g.asnOverlayDatabase?.info, g.cityOverlayDatabase?.info];
    if (from.some((info, i) => info !== this.knownFrom[i])) {
      this.asnByNetwork.clear();
      this.geoByNetwork.clear();
      this.knownFrom = from;
    }
  }
}

function geoFacts(city: CityLookup): GeoFacts {
  return {
    context: city.context,
    continent: city.record.continent,
    country: city.record.country,
    city: city.record.city,
  };
}
