import { GeoIpService, type AsnContext, type GeoContext } from '@idp/core';
import { Injectable } from '@nestjs/common';
import type { IpFacts } from './domain/index.js';

/** Looks an IP up in the ASN and City databases and shapes the result for binding checks and events. */
@Injectable()
export class IpFactsService {
  constructor(private readonly geoip: GeoIpService) {}

  facts(ip: string): IpFacts {
    const asn = this.geoip.asn(ip);
    const city = this.geoip.city(ip);
    return {
      ip,
      asn: asn?.context ?? null,
      geo: city
        ? {
            context: city.context,
            continent: city.record.continent,
            country: city.record.country,
            city: city.record.city,
          }
        : null,
    };
  }

  /** The `geo` and `asn` parts of an event's context, present only when the database knows the IP. */
  eventContext(facts: IpFacts): { geo?: GeoContext; asn?: AsnContext } {
    return {
      ...(facts.geo ? { geo: facts.geo.context } : {}),
      ...(facts.asn ? { asn: facts.asn } : {}),
    };
  }
}
