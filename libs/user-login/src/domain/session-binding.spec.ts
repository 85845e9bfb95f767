import { describe, expect, it } from 'vitest';
import {
  BINDING_REASONS,
  GEOIP_BINDINGS,
  NETWORK_BINDINGS,
  bindingRequiresAsn,
  bindingRequiresCity,
  checkBinding,
  isGeoIpBinding,
  isNetworkBinding,
  type BindingLevels,
  type BindingReason,
  type BindingVerdict,
  type CityRecord,
  type ContinentRecord,
  type CountryRecord,
  type GeoFacts,
  type GeoIpBinding,
  type IpFacts,
  type NetworkBinding,
} from './session-binding.js';

const EU = { code: 'EU', geoname_id: 6255148, names: { en: 'Europe', de: 'Europa' } };
const NA = { code: 'NA', geoname_id: 6255149, names: { en: 'North America' } };
const DE = { iso_code: 'DE', geoname_id: 2921044, names: { en: 'Germany' }, is_in_european_union: true };
const FR = { iso_code: 'FR', geoname_id: 3017382, names: { en: 'France' }, is_in_european_union: true };
const US = { iso_code: 'US', geoname_id: 6252001, names: { en: 'United States' } };
const BERLIN = { geoname_id: 2950159, names: { en: 'Berlin' } };
const KASSEL = { geoname_id: 2892518, names: { en: 'Kassel' } };

function geo(continent: ContinentRecord, country: CountryRecord, city?: CityRecord): GeoFacts {
  return {
    context: {
      continent: continent.code ?? '',
      country: country.iso_code ?? '',
      lat: 51.2993,
      long: 9.491,
      city: city?.names?.en ?? '',
    },
    continent,
    country,
    ...(city ? { city } : {}),
  };
}

const ASN_A = { asn: 6805, as_org: 'Telefonica Germany', network: '5.4.0.0/14' };
const ASN_A_OTHER_NET = { asn: 6805, as_org: 'Telefonica Germany', network: '2.240.0.0/12' };
const ASN_B = { asn: 3320, as_org: 'Deutsche Telekom AG', network: '80.128.0.0/11' };

/** The session's previous IP: AS 6805, 5.4.0.0/14, Berlin, Germany, Europe. */
const BASE: IpFacts = { ip: '5.4.0.1', asn: ASN_A, geo: geo(EU, DE, BERLIN) };
const moved = (change: Partial<IpFacts>): IpFacts => ({ ...BASE, ip: '5.4.0.2', ...change });

const SAME_EVERYTHING_NEW_IP = moved({});
const NO_ASN = moved({ asn: null });
const OTHER_ASN = moved({ asn: ASN_B });
const OTHER_NETWORK = moved({ asn: ASN_A_OTHER_NET });
const NO_GEO = moved({ geo: null });
const OTHER_CONTINENT = moved({ geo: geo(NA, US) });
const OTHER_COUNTRY = moved({ geo: geo(EU, FR) });
const OTHER_CITY = moved({ geo: geo(EU, DE, KASSEL) });
const NO_CITY = moved({ geo: geo(EU, DE) });

const levels = (network: NetworkBinding, geoip: GeoIpBinding): BindingLevels => ({ network, geoip });
const PASS: BindingVerdict = { broken: false };

const broke = (reason: BindingReason, previous_value: unknown, new_value: unknown): BindingVerdict => ({
  broken: true,
  reason,
  previous_value,
  new_value,
});

describe('checkBinding: network levels', () => {
  const MISSING = broke('network.missing', ASN_A, {});
  const ASN = broke('network.asn', 6805, 3320);
  const NETWORK = broke('network.asn_network', '5.4.0.0/14', '2.240.0.0/12');
  const IP = broke('network.ip', '5.4.0.1', '5.4.0.2');

  it.each<[NetworkBinding, IpFacts, BindingVerdict]>([
    ['no_binding', NO_ASN, PASS],
    ['no_binding', OTHER_ASN, PASS],
    ['bind_asn', SAME_EVERYTHING_NEW_IP, PASS],
    ['bind_asn', OTHER_NETWORK, PASS],
    ['bind_asn', NO_ASN, MISSING],
    ['bind_asn', OTHER_ASN, ASN],
    ['bind_asn_network', SAME_EVERYTHING_NEW_IP, PASS],
    ['bind_asn_network', NO_ASN, MISSING],
    ['bind_asn_network', OTHER_ASN, ASN],
    ['bind_asn_network', OTHER_NETWORK, NETWORK],
    ['bind_asn_network_ip', NO_ASN, MISSING],
    ['bind_asn_network_ip', OTHER_ASN, ASN],
    ['bind_asn_network_ip', OTHER_NETWORK, NETWORK],
    ['bind_asn_network_ip', SAME_EVERYTHING_NEW_IP, IP],
  ])('%s, %j -> %j', (network, current, expected) => {
    expect(checkBinding(levels(network, 'no_binding'), BASE, current)).toEqual(expected);
  });

  it.each<NetworkBinding>(['bind_asn', 'bind_asn_network', 'bind_asn_network_ip'])(
    '%s reports network.missing with the known record when only the previous IP lacks one',
    (network) => {
      const previous = { ...BASE, asn: null };
      expect(checkBinding(levels(network, 'no_binding'), previous, moved({}))).toEqual(
        broke('network.missing', {}, ASN_A),
      );
    },
  );
});

describe('checkBinding: GeoIP levels', () => {
  const MISSING = broke('geoip.missing', BASE.geo!.context, {});
  const CONTINENT = broke('geoip.continent', EU, NA);
  const COUNTRY = broke('geoip.country', DE, FR);

  it.each<[GeoIpBinding, IpFacts, BindingVerdict]>([
    ['no_binding', NO_GEO, PASS],
    ['no_binding', OTHER_CONTINENT, PASS],
    ['bind_continent', SAME_EVERYTHING_NEW_IP, PASS],
    ['bind_continent', OTHER_COUNTRY, PASS],
    ['bind_continent', NO_GEO, MISSING],
    ['bind_continent', OTHER_CONTINENT, CONTINENT],
    ['bind_continent_country', OTHER_CITY, PASS],
    ['bind_continent_country', NO_GEO, MISSING],
    ['bind_continent_country', OTHER_CONTINENT, CONTINENT],
    ['bind_continent_country', OTHER_COUNTRY, COUNTRY],
    ['bind_continent_country_city', SAME_EVERYTHING_NEW_IP, PASS],
    ['bind_continent_country_city', NO_GEO, MISSING],
    ['bind_continent_country_city', OTHER_CONTINENT, CONTINENT],
    ['bind_continent_country_city', OTHER_COUNTRY, COUNTRY],
    ['bind_continent_country_city', OTHER_CITY, broke('geoip.city', BERLIN, KASSEL)],
    ['bind_continent_country_city', NO_CITY, broke('geoip.city', BERLIN, {})],
  ])('%s, %j -> %j', (geoip, current, expected) => {
    expect(checkBinding(levels('no_binding', geoip), BASE, current)).toEqual(expected);
  });

  it('reports geoip.missing with the known context when only the previous IP lacks a record', () => {
    const previous = { ...BASE, geo: null };
    expect(checkBinding(levels('no_binding', 'bind_continent'), previous, moved({}))).toEqual(
      broke('geoip.missing', {}, BASE.geo!.context),
    );
  });
});

describe('checkBinding: ordering and short cuts', () => {
  const NOTHING_KNOWN: IpFacts = { ip: '1.2.3.4', asn: null, geo: null };
  const ALL_CHANGED_SAME_IP: IpFacts = { ...OTHER_ASN, geo: OTHER_CONTINENT.geo, ip: BASE.ip };
  const ASN_AND_CONTINENT: IpFacts = { ...OTHER_ASN, geo: OTHER_CONTINENT.geo };
  const NOTHING_KNOWN_NEW_IP: IpFacts = { ...NO_ASN, geo: null };

  it('passes the same IP even when neither side has any record', () => {
    const strictest = levels('bind_asn_network_ip', 'bind_continent_country_city');
    expect(checkBinding(strictest, NOTHING_KNOWN, { ...NOTHING_KNOWN })).toEqual(PASS);
  });

  // Every row starts from BASE.
  it.each<[string, NetworkBinding, GeoIpBinding, IpFacts, string | null]>([
    ['same IP, records changed', 'bind_asn_network_ip', 'bind_continent_country_city', ALL_CHANGED_SAME_IP, null],
    ['no_binding/no_binding never breaks', 'no_binding', 'no_binding', NOTHING_KNOWN, null],
    ['ASN before IP', 'bind_asn_network_ip', 'no_binding', OTHER_ASN, 'network.asn'],
    ['ASN before network', 'bind_asn_network', 'no_binding', OTHER_ASN, 'network.asn'],
    ['network before IP', 'bind_asn_network_ip', 'no_binding', OTHER_NETWORK, 'network.asn_network'],
    ['missing ASN first', 'bind_asn_network_ip', 'bind_continent', NOTHING_KNOWN_NEW_IP, 'network.missing'],
    ['network before geo', 'bind_asn', 'bind_continent', ASN_AND_CONTINENT, 'network.asn'],
    ['geo once the network passes', 'bind_asn_network', 'bind_continent_country', OTHER_COUNTRY, 'geoip.country'],
    ['continent before city', 'no_binding', 'bind_continent_country_city', OTHER_CONTINENT, 'geoip.continent'],
    ['country before city', 'no_binding', 'bind_continent_country_city', OTHER_COUNTRY, 'geoip.country'],
    ['IP before missing geo', 'bind_asn_network_ip', 'bind_continent', NO_GEO, 'network.ip'],
  ])('%s', (_label, network, geoip, current, reason) => {
    const verdict = checkBinding(levels(network, geoip), BASE, current);
    expect(verdict.broken ? verdict.reason : null).toBe(reason);
  });
});

describe('checkBinding: record comparison', () => {
  const withGeo = (ip: string, facts: Partial<GeoFacts>): IpFacts => ({
    ip,
    asn: null,
    geo: { context: { continent: '', country: '', lat: null, long: null, city: '' }, ...facts },
  });
  const flat = (continent: string, country: string, city = '', lat: number | null = null): Partial<GeoFacts> => ({
    context: { continent, country, lat, long: lat, city },
  });
  const CITY = levels('no_binding', 'bind_continent_country_city');
  const city = (en: string) => ({ city: { names: { en } } });

  it.each<[string, Partial<GeoFacts>, Partial<GeoFacts>, string | null]>([
    ['same geoname_id, other names', { continent: EU }, { continent: { ...EU, names: { en: 'Europa' } } }, null],
    ['geoname_id wins over code', { continent: EU }, { continent: { ...EU, code: 'XX' } }, null],
    ['other geoname_id, same code', { continent: EU }, { continent: { ...EU, geoname_id: 1 } }, 'geoip.continent'],
    ['code when a geoname_id is missing', { continent: { code: 'EU' } }, { continent: EU }, null],
    ['code when the new geoname_id is missing', { continent: EU }, { continent: { code: 'EU' } }, null],
    [
      'a code on one side only is another place, even with the same name',
      { continent: { code: 'EU', names: { en: 'Europe' } } },
      { continent: { names: { en: 'Europe' } } },
      'geoip.continent',
    ],
    [
      '...whichever side has it',
      { continent: { names: { en: 'Europe' } } },
      { continent: { code: 'EU', names: { en: 'Europe' } } },
      'geoip.continent',
    ],
    [
      'names.en when neither has an id or a code',
      { continent: { names: { en: 'Europe' } } },
      { continent: { names: { en: 'Asia' } } },
      'geoip.continent',
    ],
    [
      'names.en, same, when neither has an id or a code',
      { country: { names: { en: 'Germany' } } },
      { country: { names: { en: 'Germany' } } },
      null,
    ],
    ['city records without names are the same city', { city: {} }, { city: {} }, null],
    ['a city record without names and one with', { city: {} }, city('Berlin'), 'geoip.city'],
    ['code differs', { continent: { code: 'EU' } }, { continent: { code: 'AS' } }, 'geoip.continent'],
    ['iso_code for countries', { country: { iso_code: 'DE' } }, { country: { iso_code: 'AT' } }, 'geoip.country'],
    ['names.en for cities', city('Kassel'), city('Kassel'), null],
    ['names.en differs for cities', city('Kassel'), city('Berlin'), 'geoip.city'],
    ['both records absent', {}, {}, null],
    ['one country absent', { country: DE }, {}, 'geoip.country'],
    ['context only, same place', flat('EU', 'DE', 'Kassel', 1), flat('EU', 'DE', 'Kassel', 2), null],
    ['context only, other country', flat('EU', 'DE'), flat('EU', 'FR'), 'geoip.country'],
    ['context only, other city', flat('EU', 'DE', 'Kassel'), flat('EU', 'DE', 'Berlin'), 'geoip.city'],
  ])('%s', (_label, before, after, reason) => {
    const verdict = checkBinding(CITY, withGeo('1.1.1.1', before), withGeo('2.2.2.2', after));
    expect(verdict.broken ? verdict.reason : null).toBe(reason);
  });

  it('derives a minimal record from the context when the raw one is absent', () => {
    const verdict = checkBinding(CITY, withGeo('1.1.1.1', flat('EU', 'DE')), withGeo('2.2.2.2', flat('NA', 'US')));
    expect(verdict).toEqual(broke('geoip.continent', { code: 'EU' }, { code: 'NA' }));
  });
});

describe('checkBinding: values are detached JSON', () => {
  it.each<[BindingLevels, IpFacts]>([
    [levels('bind_asn', 'no_binding'), NO_ASN],
    [levels('no_binding', 'bind_continent'), NO_GEO],
    [levels('no_binding', 'bind_continent'), OTHER_CONTINENT],
    [levels('no_binding', 'bind_continent_country'), OTHER_COUNTRY],
    [levels('no_binding', 'bind_continent_country_city'), OTHER_CITY],
  ])('%j', (bindingLevels, current) => {
    const previous = structuredClone(BASE);
    const verdict = checkBinding(bindingLevels, previous, current);
    if (!verdict.broken) throw new Error('expected a broken binding');
    expect(JSON.parse(JSON.stringify(verdict))).toEqual(verdict);
    (verdict.previous_value as Record<string, unknown>).poisoned = true;
    expect(previous).toEqual(BASE);
  });

  it('drops values JSON cannot hold', () => {
    const previous = { ...BASE, geo: geo({ ...EU, extra: () => 1 } as ContinentRecord, DE) };
    const verdict = checkBinding(levels('no_binding', 'bind_continent'), previous, OTHER_CONTINENT);
    expect(verdict).toMatchObject({ previous_value: EU });
  });
});

describe('level helpers', () => {
  it('lists exactly the reason codes of the contract', () => {
    expect(BINDING_REASONS).toEqual([
      'network.missing',
      'network.asn',
      'network.asn_network',
      'network.ip',
      'geoip.missing',
      'geoip.continent',
      'geoip.country',
      'geoip.city',
    ]);
  });

  it.each(NETWORK_BINDINGS.map((level, rank) => [level, rank > 0] as const))(
    'bindingRequiresAsn(%s) -> %s',
    (level, needs) => {
      expect(bindingRequiresAsn(level)).toBe(needs);
    },
  );

  it.each(GEOIP_BINDINGS.map((level, rank) => [level, rank > 0] as const))(
    'bindingRequiresCity(%s) -> %s',
    (level, needs) => {
      expect(bindingRequiresCity(level)).toBe(needs);
    },
  );

  it.each<[unknown, boolean, boolean]>([
    ['no_binding', true, true],
    ['bind_asn', true, false],
    ['bind_asn_network_ip', true, false],
    ['bind_continent', false, true],
    ['bind_continent_country_city', false, true],
    ['bind_ip', false, false],
    ['', false, false],
    [null, false, false],
    [1, false, false],
  ])('%j: network %s, geoip %s', (value, network, geoip) => {
    expect(isNetworkBinding(value)).toBe(network);
    expect(isGeoIpBinding(value)).toBe(geoip);
  });
});
