import { MmdbWriter } from '@idp/core';
import { join } from 'node:path';

/**
 * The benchmark's "client network": RFC 2544's benchmarking range 198.18.0.0/15, one AS, one
 * network, Berlin, Germany. Sessions are bound `bind_asn_network` + `bind_continent_country`, so
 * any address in the range keeps the binding.
 */
export const BENCH_NETWORK = '198.18.0.0/15';

/** The i-th client address of the benchmark network (65,536 distinct addresses, then repeats). */
export function benchIp(i: number): string {
  return `198.18.${(i >> 8) & 255}.${(i & 255) | 1}`;
}

/** How many distinct addresses {@link benchIp} gives before it repeats. */
export const BENCH_IPS = 65_536;

/**
 * The `X-Forwarded-For` headers of connection `index` of `connections` for a moving client: its
 * share of the {@link BENCH_IPS} addresses (disjoint from the other connections' shares, from
 * address 2 on), so every request comes from another address than the one before it.
 */
export function movingIpHeaders(index: number, connections: number): Array<Record<string, string>> {
  const share = Math.floor((BENCH_IPS - 2) / connections);
  return Array.from({ length: share }, (_, i) => ({ 'x-forwarded-for': benchIp(2 + index * share + i) }));
}

/** Writes the ASN and City databases into `dir`; returns their paths. */
export function writeBenchGeoIp(dir: string): { asn: string; city: string } {
  const asn = new MmdbWriter({ databaseType: 'GeoLite2-ASN', ipVersion: 6, description: 'bench', languages: ['en'] });
  asn.insert(BENCH_NETWORK, { autonomous_system_number: 64500, autonomous_system_organization: 'Bench Net' });
  const city = new MmdbWriter({ databaseType: 'GeoLite2-City', ipVersion: 6, description: 'bench', languages: ['en'] });
  city.insert(BENCH_NETWORK, {
    city: { geoname_id: 2950159, names: { en: 'Berlin' } },
    continent: { code: 'EU', geoname_id: 6255148, names: { en: 'Europe' } },
    country: { geoname_id: 2921044, iso_code: 'DE', names: { en: 'Germany' } },
    location: { accuracy_radius: 20, latitude: 52.52, longitude: 13.405 },
  });
  const paths = { asn: join(dir, 'asn.mmdb'), city: join(dir, 'city.mmdb') };
  asn.write(paths.asn);
  city.write(paths.city);
  return paths;
}
