// The fixtures stand in for MaxMind's databases in every GeoIP test, so they must keep MaxMind's
// shape: compared here against MaxMind's own public test databases.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Reader } from 'maxmind';
import { afterAll, describe, expect, it } from 'vitest';
import {
  asnRecord,
  cityRecord,
  maxmindTestData,
  writeAsnDb,
  writeCityDb,
} from '../../../../test/fixtures/geoip-fixtures.js';
import { readMmdbMetadata } from './mmdb-verify.js';

const dir = mkdtempSync(join(tmpdir(), 'geoip-fixtures-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The key structure of a value: nested keys sorted, leaves replaced by their type.
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? [] : [shape(value[0])];
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .toSorted()
        .map((key) => [key, key === 'names' ? 'names' : shape((value as Record<string, unknown>)[key])]),
    );
  }
  return typeof value;
}

const open = (path: string) => new Reader<Record<string, unknown>>(readFileSync(path));

describe('GeoIP fixtures mirror MaxMind', () => {
  it('City records have the keys and nesting of GeoLite2-City', () => {
    const theirs = open(maxmindTestData('GeoLite2-City-Test.mmdb')).get('81.2.69.142');
    expect(theirs, 'MaxMind test record for 81.2.69.142').not.toBeNull();
    const ours = cityRecord({
      continent: 'EU',
      country: 'GB',
      city: 'London',
      lat: 51.5142,
      long: -0.0931,
      timeZone: 'Europe/London',
      registeredCountry: 'US',
      subdivision: { isoCode: 'ENG', name: 'England' },
    });
    const path = writeCityDb(join(dir, 'city.mmdb'), [['81.2.69.142/31', ours]]);
    const stored = open(path).get('81.2.69.142') as Record<string, unknown>;
    expect(Object.keys(stored).toSorted()).toEqual(Object.keys(theirs!).toSorted());
    for (const part of ['continent', 'country', 'city', 'location', 'registered_country', 'subdivisions']) {
      expect(shape(stored[part]), part).toEqual(shape(theirs![part]));
    }
    expect(stored.continent).toMatchObject({ code: 'EU', geoname_id: 6255148, names: { en: 'Europe' } });
    expect(stored.city).toMatchObject({ geoname_id: 2643743, names: { en: 'London' } });
  });

  it('ASN records have the keys of GeoLite2-ASN', () => {
    const theirs = open(maxmindTestData('GeoLite2-ASN-Test.mmdb')).get('1.128.0.1');
    const path = writeAsnDb(join(dir, 'asn.mmdb'), [['1.128.0.0/11', asnRecord(1221, 'Telstra Pty Ltd')]]);
    const stored = open(path).get('1.128.0.1');
    expect(shape(stored)).toEqual(shape(theirs));
    expect(stored).toEqual(theirs);
  });

  it.each([
    ['GeoLite2-City-Test.mmdb', 'city'],
    ['GeoLite2-ASN-Test.mmdb', 'asn'],
  ])('databases carry the metadata keys and types of %s', (name, kind) => {
    const theirs = readMmdbMetadata(readFileSync(maxmindTestData(name)));
    const path = join(dir, `${kind}-meta.mmdb`);
    if (kind === 'city') writeCityDb(path, [['1.0.0.0/8', cityRecord({ continent: 'OC', country: 'AU' })]]);
    else writeAsnDb(path, [['1.0.0.0/8', asnRecord(1, 'One')]]);
    const ours = readMmdbMetadata(readFileSync(path));
    expect(shape(ours)).toEqual(shape(theirs));
    expect(ours.database_type).toBe(theirs.database_type);
    expect(ours.ip_version).toBe(6);
  });
});
