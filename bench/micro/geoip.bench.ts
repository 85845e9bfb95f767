// GeoIP lookups on the request path: GeoIpService (record + network + context) against the raw
// maxmind reader, on 100k-network City and ASN databases made by the project's writer.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Reader } from 'maxmind';
import { bench, describe } from 'vitest';
import { GeoIpService } from '../../libs/core/src/geoip/geoip.service.js';
import {
  asnRecord,
  cityRecord,
  writeAsnDb,
  writeCityDb,
  type GeoIpFixtureEntry,
} from '../../test/fixtures/geoip-fixtures.js';

const NETWORKS = 100_000;
const CONTINENTS = ['EU', 'NA', 'AS', 'OC', 'SA', 'AF'];
const COUNTRIES = ['DE', 'US', 'JP', 'AU', 'BR', 'FR', 'GB', 'SE', 'NL', 'CH'];

// /24s spread over 1.0.0.0-223.255.255.0, one in three IPv6 /48s, deterministic.
function network(i: number): string {
  if (i % 3 === 2) return `2a0${i % 10}:${((i * 7919) % 0xffff).toString(16)}:${(i & 0xffff).toString(16)}::/48`;
  const n = (0x01000000 + (((i * 2_654_435_761) >>> 0) % 0xde000000)) >>> 8;
  return `${n >>> 16}.${(n >>> 8) & 255}.${n & 255}.0/24`;
}

const dir = mkdtempSync(join(tmpdir(), 'geoip-bench-'));
const cities: GeoIpFixtureEntry[] = [];
const asns: GeoIpFixtureEntry[] = [];
const seen = new Set<string>();
for (let i = 0; seen.size < NETWORKS; i++) {
  const cidr = network(i);
  if (seen.has(cidr)) continue;
  seen.add(cidr);
  const country = COUNTRIES[i % COUNTRIES.length];
  cities.push([
    cidr,
    cityRecord({
      continent: CONTINENTS[i % 6],
      country,
      city: `City ${i % 5000}`,
      lat: (i % 180) - 90 + 0.5,
      long: (i % 360) - 180 + 0.25,
    }),
  ]);
  asns.push([cidr, asnRecord(64_512 + (i % 20_000), `Org ${i % 20_000}`)]);
}
const cityPath = writeCityDb(join(dir, 'city.mmdb'), cities);
const asnPath = writeAsnDb(join(dir, 'asn.mmdb'), asns);

// Lookup addresses: 4096 hosts inside the stored networks, one in eight a miss. They all fit in
// the record caches, so the cached numbers are the hot-address case.
const ips = cities.slice(0, 4096).map(([cidr], i) => {
  if (i % 8 === 7) return i % 2 ? '198.51.100.1' : '2001:db8::1';
  return cidr.includes(':') ? cidr.replace('::/48', '::1') : cidr.replace('.0/24', `.${(i % 254) + 1}`);
});

const service = await GeoIpService.open({ cityPath, asnPath, watchIntervalMs: 0 });
const rawCity = new Reader(readFileSync(cityPath));
const rawAsn = new Reader(readFileSync(asnPath));
// maxmind.open() caches decoded records by default; an unbounded Map stands in for its LRU here.
const cachedCity = new Reader(readFileSync(cityPath), { cache: new Map() });
const cachedAsn = new Reader(readFileSync(asnPath), { cache: new Map() });
let k = 0;
let sink: unknown;
const next = () => ips[k++ & 4095];

describe('City lookup', () => {
  bench('GeoIpService.city(ip)', () => {
    sink = service.city(next());
  });
  bench('raw maxmind reader.get(ip)', () => {
    sink = rawCity.get(next());
  });
  bench('raw maxmind reader.get(ip), record cache', () => {
    sink = cachedCity.get(next());
  });
});

describe('ASN lookup', () => {
  bench('GeoIpService.asn(ip)', () => {
    sink = service.asn(next());
  });
  bench('raw maxmind reader.get(ip)', () => {
    sink = rawAsn.get(next());
  });
  bench('raw maxmind reader.get(ip), record cache', () => {
    sink = cachedAsn.get(next());
  });
});

export { sink };
