import { GeoIpService, type CityLookup } from '@idp/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  asnRecord,
  cityRecord,
  maxmindTestData,
  writeAsnDb,
  writeCityDb,
} from '../../../test/fixtures/geoip-fixtures.js';
import type { GeoFacts } from './domain/index.js';
import { IpFactsService } from './ip-facts.service.js';

// IpFactsService keeps the databases' answers per network of their trees, not per address. These
// tests hold it to the only thing that matters: for every address it answers exactly what a fresh
// lookup in the files (overlay first, then the main file) answers, in any order of addresses.
const dir = mkdtempSync(join(tmpdir(), 'ip-facts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const place = (continent: string, country: string, city: string) => cityRecord({ continent, country, city });
const main = {
  asnPath: writeAsnDb(join(dir, 'asn.mmdb'), [
    ['10.0.0.0/8', asnRecord(64500, 'Big Net')],
    ['10.20.30.0/24', asnRecord(64501, 'Small Net')],
    ['10.99.0.0/17', asnRecord(64502, 'Half Net')],
    ['198.51.100.0/24', asnRecord(64503, 'Doc Net')],
    ['2001:db8::/32', asnRecord(64504, 'Six Net')],
    ['2001:db8:1::/48', asnRecord(64505, 'Six Small')],
  ]),
  cityPath: writeCityDb(join(dir, 'city.mmdb'), [
    ['10.0.0.0/9', place('NA', 'US', 'New York')],
    ['10.128.0.0/9', place('EU', 'DE', 'Berlin')],
    ['10.20.30.128/25', place('EU', 'FR', 'Paris')],
    ['198.51.100.0/25', place('OC', 'AU', 'Sydney')],
    ['2001:db8::/33', place('AS', 'JP', 'Tokyo')],
  ]),
};
const overlays = {
  asnOverlayPath: writeAsnDb(join(dir, 'office-asn.mmdb'), [
    ['10.20.0.0/16', asnRecord(4_200_000_001, 'ACME')],
    ['10.99.64.0/18', asnRecord(4_200_000_002, 'ACME lab')],
    ['2001:db8:2::/48', asnRecord(4_200_000_003, 'ACME six')],
  ]),
  cityOverlayPath: writeCityDb(join(dir, 'office-city.mmdb'), [
    ['10.20.0.0/16', place('EU', 'DE', 'Frankfurt am Main')],
    ['10.200.0.0/24', place('EU', 'CH', 'Zurich')],
  ]),
};

/** The answers without any cache: what the session check compared before the network cache. */
function reference(geoip: GeoIpService, ip: string) {
  const city = geoip.city(ip);
  return { ip, asn: geoip.asn(ip)?.context ?? null, geo: city ? geoFacts(city) : null };
}

function geoFacts(city: CityLookup): GeoFacts {
  return {
    context: city.context,
    continent: city.record.continent,
    country: city.record.country,
    city: city.record.city,
  };
}

// A small deterministic generator, so a failure names an address that fails again.
function* addresses(seed: number, count: number, around: string[]): Generator<string> {
  let state = seed;
  const next = () => (state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0);
  for (let i = 0; i < count; i++) {
    const base = around[next() % around.length];
    if (base.includes(':')) {
      const groups = base.split(':').filter(Boolean);
      const tail = Array.from({ length: 8 - groups.length }, () => (next() & 0xffff).toString(16));
      yield [...groups, ...tail].join(':');
    } else {
      const [a, b, c, d] = base.split('.').map(Number);
      const start = ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
      // Near the base and far from it: both sides of every boundary of the networks above.
      const spread = [1, 256, 65_536, 1 << 24][next() % 4];
      const value = (start + (next() % spread) - (next() % 2 ? spread >> 1 : 0)) >>> 0;
      yield `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
    }
  }
}

const SPECIAL = [
  '::ffff:10.20.30.200',
  '::ffff:198.51.100.1',
  '0.0.0.0',
  '255.255.255.255',
  '::',
  '::1',
  'fe80::1%eth0',
  'not an ip',
  '',
];

describe('IpFactsService: answers cached per network', () => {
  it('answers every address exactly as a fresh lookup does (main files and overlays, IPv4, IPv6, misses)', async () => {
    const geoip = await GeoIpService.open({ ...main, ...overlays, watchIntervalMs: 0 });
    const around = [
      '10.0.0.1',
      '10.20.30.129',
      '10.99.100.1',
      '10.200.0.9',
      '198.51.100.127',
      '192.0.2.1',
      '2001:db8:1:',
      '2001:db8:2:',
      '2001:db8:8000:',
    ];
    const ips = [...SPECIAL, ...addresses(7, 8_000, around)];
    for (const order of [ips, ips.toReversed()]) {
      const sut = new IpFactsService(geoip);
      // Twice: the first pass fills the cache, the second is answered from it.
      for (let pass = 0; pass < 2; pass++) {
        for (const ip of order) expect(sut.facts(ip), ip).toEqual(reference(geoip, ip));
      }
    }
    geoip.close();
  });

  it("answers MaxMind's own test databases exactly as a fresh lookup does", async () => {
    const geoip = await GeoIpService.open({
      asnPath: maxmindTestData('GeoLite2-ASN-Test.mmdb'),
      cityPath: maxmindTestData('GeoLite2-City-Test.mmdb'),
      watchIntervalMs: 0,
    });
    const around = [
      '1.128.0.1',
      '2.125.160.216',
      '81.2.69.142',
      '89.160.20.112',
      '216.160.83.56',
      '12.81.92.1',
      '2001:218:',
      '2001:480:',
      '2a02:d180:',
    ];
    const sut = new IpFactsService(geoip);
    let known = 0;
    for (const ip of [...SPECIAL, ...addresses(11, 20_000, around)]) {
      const expected = reference(geoip, ip);
      if (expected.asn || expected.geo) known++;
      expect(sut.facts(ip), ip).toEqual(expected);
    }
    // The addresses must reach into the files' networks, or the comparison proves little.
    expect(known).toBeGreaterThan(1_000);
    geoip.close();
  });

  it('looks a network up once, however many of its addresses a client moves through', async () => {
    const geoip = await GeoIpService.open({ ...main, watchIntervalMs: 0 });
    const asnLookups = vi.spyOn(geoip, 'asnRegion');
    const cityLookups = vi.spyOn(geoip, 'cityRegion');
    const sut = new IpFactsService(geoip);
    // 10.128.0.0/9: one region in both files (the ASN file's 10.0.0.0/8 is split only in its lower half).
    for (let i = 0; i < 5_000; i++) sut.facts(`10.${128 + (i % 128)}.${(i * 7) & 255}.${i & 255}`);
    expect(asnLookups).toHaveBeenCalledTimes(1);
    expect(cityLookups).toHaveBeenCalledTimes(1);
    geoip.close();
  });

  it('forgets every answer when a database file is reloaded', async () => {
    const asnPath = writeAsnDb(join(dir, 'reloaded-asn.mmdb'), [['10.0.0.0/8', asnRecord(64500, 'Before')]]);
    const geoip = await GeoIpService.open({ asnPath, watchIntervalMs: 0 });
    const sut = new IpFactsService(geoip);
    expect(sut.facts('10.1.2.3', { asn: true, city: false }).asn?.as_org).toBe('Before');
    writeAsnDb(asnPath, [['10.0.0.0/8', asnRecord(64600, 'After')]]);
    expect(await geoip.asnDatabase!.reload()).toBe(true);
    expect(sut.facts('10.9.9.9', { asn: true, city: false }).asn?.as_org).toBe('After');
    expect(sut.facts('10.1.2.3', { asn: true, city: false }).asn).toEqual(geoip.asn('10.1.2.3')?.context);
    geoip.close();
  });
});
