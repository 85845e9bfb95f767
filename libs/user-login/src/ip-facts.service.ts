import { GeoIpService, type AsnContext, type GeoContext } from '@idp/core';
import { Injectable } from '@nestjs/common';
import type { BindingLevels, GeoFacts, IpFacts } from './domain/index.js';

/** Which databases a caller needs answers from. */
export interface IpFactsNeeds {
  asn: boolean;
  city: boolean;
}

const EVERYTHING: IpFactsNeeds = Object.freeze({ asn: true, city: true });

/** Looks an IP up in the ASN and City databases and shapes the result for binding checks and events. */
@Injectable()
export class IpFactsService {
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
    return this.geoip.asn(ip)?.context ?? null;
  }

  private geoOf(ip: string): GeoFacts | null {
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
