import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { asnRecord, cityRecord, writeAsnDb, writeCityDb } from '../../../../test/fixtures/geoip-fixtures.js';
import { GeoIpConfigError } from './geoip-config.error.js';
import { GeoIpService } from './geoip.service.js';

const dir = mkdtempSync(join(tmpdir(), 'geoip-service-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const kassel = cityRecord({ continent: 'EU', country: 'DE', city: 'Kassel', lat: 51.2993, long: 9.491 });
const germany = cityRecord({ continent: 'EU', country: 'DE' });
const cityPath = writeCityDb(join(dir, 'city.mmdb'), [
  ['5.4.0.0/14', kassel],
  ['5.8.0.0/16', germany],
  ['2a02:3000::/23', kassel],
]);
const asnPath = writeAsnDb(join(dir, 'asn.mmdb'), [
  ['5.4.0.0/14', asnRecord(6805, 'Telefonica Germany')],
  ['2a02:3000::/23', asnRecord(6805, 'Telefonica Germany')],
]);

describe('GeoIpService', () => {
  it('gives the City record, network and the GeoIP context of the event contract', async () => {
    const sut = await GeoIpService.open({ cityPath, asnPath, watchIntervalMs: 0 });
    expect(sut.city('5.6.7.8')).toEqual({
      record: kassel,
      network: '5.4.0.0/14',
      context: { continent: 'EU', country: 'DE', lat: 51.2993, long: 9.491, city: 'Kassel' },
    });
    expect(sut.city('5.8.1.1')?.context).toEqual({ continent: 'EU', country: 'DE', lat: null, long: null, city: '' });
    sut.close();
  });

  it('gives the ASN record, network and the ASN context of the event contract', async () => {
    const sut = await GeoIpService.open({ asnPath, watchIntervalMs: 0 });
    expect(sut.asn('5.6.7.8')).toEqual({
      record: { autonomous_system_number: 6805, autonomous_system_organization: 'Telefonica Germany' },
      network: '5.4.0.0/14',
      context: { asn: 6805, as_org: 'Telefonica Germany', network: '5.4.0.0/14' },
    });
    expect(sut.asn('2a02:3001::1')?.context.network).toBe('2a02:3000::/23');
    sut.close();
  });

  it('treats IPv4-mapped IPv6 as IPv4 and writes the network in IPv4 form', async () => {
    const sut = await GeoIpService.open({ cityPath, asnPath, watchIntervalMs: 0 });
    expect(sut.asn('::ffff:5.6.7.8')?.context.network).toBe('5.4.0.0/14');
    expect(sut.asn('::FFFF:0506:0708')?.network).toBe('5.4.0.0/14');
    expect(sut.city('::ffff:5.6.7.8')?.context.city).toBe('Kassel');
    sut.close();
  });

  it('answers null for unknown addresses, garbage and unconfigured databases', async () => {
    const sut = await GeoIpService.open({ cityPath, watchIntervalMs: 0 });
    expect(sut.hasCity).toBe(true);
    expect(sut.hasAsn).toBe(false);
    expect(sut.city('192.0.2.1')).toBeNull();
    expect(sut.city('not an ip')).toBeNull();
    expect(sut.asn('5.6.7.8')).toBeNull();
    sut.close();
    const none = await GeoIpService.open({ cityPath: '', asnPath: undefined });
    expect([none.hasCity, none.hasAsn, none.city('5.6.7.8'), none.asn('5.6.7.8')]).toEqual([false, false, null, null]);
  });

  it('shares records read-only between lookups', async () => {
    const sut = await GeoIpService.open({ cityPath, watchIntervalMs: 0 });
    const first = sut.city('5.6.7.8')?.record;
    expect(sut.city('5.6.7.9')?.record).toBe(first);
    expect(Object.isFrozen(first?.country?.names)).toBe(true);
    sut.close();
  });

  it('fails to open when a database is of the wrong type, naming its variable', async () => {
    await expect(GeoIpService.open({ cityPath: asnPath, watchIntervalMs: 0 })).rejects.toThrow(
      new RegExp(`^GEOIP_CITY_DB=${asnPath} cannot be used`),
    );
    const error = await GeoIpService.open({ cityPath, asnPath: cityPath, watchIntervalMs: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GeoIpConfigError);
    expect((error as GeoIpConfigError).envVar).toBe('GEOIP_ASN_DB');
  });
});
