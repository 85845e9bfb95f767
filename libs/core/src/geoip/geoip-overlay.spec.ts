import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { asnRecord, cityRecord, writeAsnDb, writeCityDb } from '../../../../test/fixtures/geoip-fixtures.js';
import { GeoIpConfigError } from './geoip-config.error.js';
import { GeoIpService } from './geoip.service.js';

// GEOIP_CITY_DB_OVERLAY / GEOIP_ASN_DB_OVERLAY: a company's own networks answer first, the
// GeoLite2 files answer everything else.
const dir = mkdtempSync(join(tmpdir(), 'geoip-overlay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const frankfurt = cityRecord({ continent: 'EU', country: 'DE', city: 'Frankfurt am Main', lat: 50.11, long: 8.68 });
const newYork = cityRecord({ continent: 'NA', country: 'US', city: 'New York', lat: 40.71, long: -74.0 });
const cityPath = writeCityDb(join(dir, 'city.mmdb'), [
  ['10.0.0.0/8', newYork],
  ['198.51.100.0/24', newYork],
]);
const asnPath = writeAsnDb(join(dir, 'asn.mmdb'), [['198.51.100.0/24', asnRecord(64501, 'Public ISP')]]);
const cityOverlayPath = writeCityDb(join(dir, 'office-city.mmdb'), [['10.20.0.0/16', frankfurt]]);
const asnOverlayPath = writeAsnDb(join(dir, 'office-asn.mmdb'), [['10.20.0.0/16', asnRecord(4_200_000_001, 'ACME')]]);

describe('GeoIP overlay databases', () => {
  it('the overlay answers first; addresses it does not know fall through to the main file', async () => {
    const sut = await GeoIpService.open({ cityPath, asnPath, cityOverlayPath, asnOverlayPath, watchIntervalMs: 0 });
    expect(sut.city('10.20.1.2')?.context.city).toBe('Frankfurt am Main');
    expect(sut.city('10.20.1.2')?.network).toBe('10.20.0.0/16');
    expect(sut.asn('10.20.1.2')?.context).toEqual({ asn: 4_200_000_001, as_org: 'ACME', network: '10.20.0.0/16' });
    expect(sut.city('10.9.9.9')?.context.city).toBe('New York');
    expect(sut.asn('198.51.100.7')?.context.asn).toBe(64501);
    expect(sut.asn('192.0.2.1')).toBeNull();
    sut.close();
  });

  it('an overlay alone counts as a configured database', async () => {
    const sut = await GeoIpService.open({ asnOverlayPath, watchIntervalMs: 0 });
    expect(sut.hasAsn).toBe(true);
    expect(sut.hasCity).toBe(false);
    expect(sut.asn('10.20.0.1')?.context.as_org).toBe('ACME');
    expect(sut.asn('198.51.100.7')).toBeNull();
    sut.close();
  });

  it('a bad overlay stops the start with a message naming the overlay variable', async () => {
    const error = await GeoIpService.open({ asnPath, asnOverlayPath: cityOverlayPath, watchIntervalMs: 0 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GeoIpConfigError);
    expect((error as GeoIpConfigError).message).toMatch(/^GEOIP_ASN_DB_OVERLAY=.* cannot be used: it is a .*City/);
    const missing = await GeoIpService.open({ cityOverlayPath: join(dir, 'nope.mmdb'), watchIntervalMs: 0 }).catch(
      (e: unknown) => e,
    );
    expect((missing as GeoIpConfigError).envVar).toBe('GEOIP_CITY_DB_OVERLAY');
  });
});
