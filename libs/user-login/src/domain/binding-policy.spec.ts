import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BINDING_POLICY,
  evaluateBinding,
  isExempt,
  parseExemptCidrs,
  storedReference,
  type BindingOutcome,
  type BindingPolicy,
  type BindingReferences,
} from './binding-policy.js';
import { GEOIP_BINDINGS, NETWORK_BINDINGS, type BindingLevels, type IpFacts } from './session-binding.js';

// A small world, written out by hand: what the "databases" say about each address.
const A = { asn: 64500, as_org: 'Net A', network: '198.51.100.0/25' };
const A2 = { asn: 64500, as_org: 'Net A', network: '198.51.100.128/25' };
const B = { asn: 64501, as_org: 'Net B', network: '203.0.113.0/24' };
const V6 = { asn: 64502, as_org: 'Net V6', network: '2001:db8::/32' };
const place = (continent: string, country: string, city: string) => ({
  context: { continent, country, city, lat: null, long: null },
});
const BERLIN = place('EU', 'DE', 'Berlin');
const PARIS = place('EU', 'FR', 'Paris');
const NEW_YORK = place('NA', 'US', 'New York');

const WORLD: Record<string, Omit<IpFacts, 'ip'>> = {
  '198.51.100.10': { asn: A, geo: BERLIN },
  '198.51.100.20': { asn: A, geo: BERLIN },
  '198.51.100.200': { asn: A2, geo: PARIS },
  '203.0.113.5': { asn: B, geo: NEW_YORK },
  '2001:db8:1:1::a': { asn: V6, geo: BERLIN },
  '2001:db8:1:1::b': { asn: V6, geo: BERLIN },
  '2001:db8:1:2::a': { asn: V6, geo: BERLIN },
  // known to the City database only, and to neither
  '100.64.1.10': { asn: null, geo: BERLIN },
  '192.0.2.1': { asn: null, geo: null },
  // the office VPN's exit: in the exempt network below, and in New York
  '10.8.0.5': { asn: B, geo: NEW_YORK },
};
const EXEMPT = ['10.8.0.0/16'];
const lookups: string[] = [];
const lookup = (ip: string): IpFacts => {
  lookups.push(ip);
  return { ip, ...(WORLD[ip] ?? { asn: null, geo: null }) };
};

const start = (ip: string): BindingReferences => ({ lastIp: ip, networkIp: ip, geoipIp: ip });
const policy = (fields: Partial<BindingPolicy> = {}): BindingPolicy => ({ ...DEFAULT_BINDING_POLICY, ...fields });
const levels = (network: BindingLevels['network'], geoip: BindingLevels['geoip'] = 'no_binding'): BindingLevels => ({
  network,
  geoip,
});

/** Runs a session through `ips` from `loginIp`; returns every outcome until one ends it. */
function walk(loginIp: string, ips: string[], bound: BindingLevels, rules: BindingPolicy): BindingOutcome[] {
  let references = start(loginIp);
  const outcomes: BindingOutcome[] = [];
  for (const ip of ips) {
    const outcome = evaluateBinding({ levels: bound, policy: rules, references, ip, lookup });
    outcomes.push(outcome);
    if (outcome.action === 'terminate') break;
    references = outcome.references;
  }
  return outcomes;
}
const actions = (outcomes: BindingOutcome[]) => outcomes.map((o) => o.action);

describe('evaluateBinding with the defaults (today’s behaviour)', () => {
  it('the same IP passes without a single lookup', () => {
    lookups.length = 0;
    const outcome = evaluateBinding({
      levels: levels('bind_asn_network_ip', 'bind_continent_country_city'),
      policy: DEFAULT_BINDING_POLICY,
      references: start('198.51.100.10'),
      ip: '198.51.100.10',
      lookup,
    });
    expect(outcome).toEqual({ action: 'pass', references: start('198.51.100.10') });
    expect(lookups).toEqual([]);
  });

  it('a move the levels allow passes and every reference follows the client', () => {
    expect(walk('198.51.100.10', ['198.51.100.20'], levels('bind_asn_network'), policy())).toEqual([
      { action: 'pass', references: start('198.51.100.20') },
    ]);
  });

  it('a break ends the session, naming the reason and the IP it was compared with', () => {
    const [outcome] = walk('198.51.100.10', ['203.0.113.5'], levels('bind_asn'), policy());
    expect(outcome).toEqual({
      action: 'terminate',
      previousIp: '198.51.100.10',
      verdict: { broken: true, reason: 'network.asn', previous_value: 64500, new_value: 64501 },
    });
  });

  it('an IP without a record ends it (network.missing / geoip.missing)', () => {
    expect(walk('198.51.100.10', ['192.0.2.1'], levels('bind_asn'), policy())[0]).toMatchObject({
      action: 'terminate',
      verdict: { reason: 'network.missing' },
    });
    expect(walk('198.51.100.10', ['192.0.2.1'], levels('no_binding', 'bind_continent'), policy())[0]).toMatchObject({
      action: 'terminate',
      verdict: { reason: 'geoip.missing' },
    });
  });

  it('looks each IP up once per request, however many databases the levels read', () => {
    lookups.length = 0;
    const [outcome] = walk(
      '198.51.100.10',
      ['198.51.100.20'],
      levels('bind_asn', 'bind_continent_country_city'),
      policy(),
    );
    expect(outcome.action).toBe('pass');
    expect(lookups.toSorted()).toEqual(['198.51.100.10', '198.51.100.20']);
  });

  it('checks a request from the IP already in last_ip when a reference lags behind it', () => {
    // last_ip is this IP already, but a reference stayed behind (it came while the database had
    // no record for it, under allow; the database has been updated since): the request is
    // compared with the reference, not waved through as "the same IP".
    const references = { lastIp: '203.0.113.5', networkIp: '198.51.100.10', geoipIp: '203.0.113.5' };
    const outcome = evaluateBinding({
      levels: levels('bind_asn'),
      policy: policy(),
      references,
      ip: '203.0.113.5',
      lookup,
    });
    expect(outcome).toMatchObject({
      action: 'terminate',
      previousIp: '198.51.100.10',
      verdict: { reason: 'network.asn' },
    });
    const geo = { lastIp: '203.0.113.5', networkIp: '203.0.113.5', geoipIp: '198.51.100.10' };
    expect(
      evaluateBinding({
        levels: levels('no_binding', 'bind_continent'),
        policy: policy(),
        references: geo,
        ip: '203.0.113.5',
        lookup,
      }),
    ).toMatchObject({ action: 'terminate', previousIp: '198.51.100.10', verdict: { reason: 'geoip.continent' } });
  });

  it('an unbound session moves without any lookup', () => {
    lookups.length = 0;
    expect(actions(walk('198.51.100.10', ['203.0.113.5', '192.0.2.1'], levels('no_binding'), policy()))).toEqual([
      'pass',
      'pass',
    ]);
    expect(lookups).toEqual([]);
  });
});

describe('binding_mode=log', () => {
  it('keeps the session, reports the break once, and follows the client', () => {
    const outcomes = walk(
      '198.51.100.10',
      ['203.0.113.5', '203.0.113.5', '198.51.100.10'],
      levels('bind_asn'),
      policy({ mode: 'log' }),
    );
    expect(outcomes[0]).toEqual({
      action: 'record_violation',
      previousIp: '198.51.100.10',
      verdict: { broken: true, reason: 'network.asn', previous_value: 64500, new_value: 64501 },
      references: start('203.0.113.5'),
    });
    // staying on the new network is no new move; going back is one
    expect(actions(outcomes)).toEqual(['record_violation', 'pass', 'record_violation']);
  });

  it('reports the network break first when both halves break', () => {
    const [outcome] = walk(
      '198.51.100.10',
      ['203.0.113.5'],
      levels('bind_asn', 'bind_continent'),
      policy({ mode: 'log' }),
    );
    expect(outcome).toMatchObject({ action: 'record_violation', verdict: { reason: 'network.asn' } });
  });
});

describe('on_missing_record=allow', () => {
  const allow = policy({ onMissingRecord: 'allow' });

  it('lets an IP without a record through and keeps comparing with the last IP that had one', () => {
    const outcomes = walk('198.51.100.10', ['192.0.2.1', '198.51.100.20'], levels('bind_asn_network'), allow);
    expect(outcomes[0]).toEqual({
      action: 'pass',
      references: { lastIp: '192.0.2.1', networkIp: '198.51.100.10', geoipIp: '192.0.2.1' },
    });
    expect(outcomes[1]).toEqual({ action: 'pass', references: start('198.51.100.20') });
  });

  it('a hop through an unknown IP cannot launder a real move', () => {
    const outcomes = walk('198.51.100.10', ['192.0.2.1', '203.0.113.5'], levels('bind_asn'), allow);
    expect(outcomes[1]).toMatchObject({
      action: 'terminate',
      previousIp: '198.51.100.10',
      verdict: { reason: 'network.asn' },
    });
  });

  it('applies per database: an IP the City database knows is still checked for location', () => {
    // 100.64.1.10 has no AS but is in Berlin: the network reference stays, the GeoIP one moves.
    const outcomes = walk('198.51.100.10', ['100.64.1.10'], levels('bind_asn', 'bind_continent_country_city'), allow);
    expect(outcomes[0]).toEqual({
      action: 'pass',
      references: { lastIp: '100.64.1.10', networkIp: '198.51.100.10', geoipIp: '100.64.1.10' },
    });
  });

  it('a session that began on an unknown IP takes the first IP with a record as its reference', () => {
    const outcomes = walk('192.0.2.1', ['198.51.100.10', '203.0.113.5'], levels('bind_asn'), allow);
    expect(actions(outcomes)).toEqual(['pass', 'terminate']);
    expect(outcomes[1]).toMatchObject({ previousIp: '198.51.100.10' });
  });
});

describe('binding_exempt_cidrs', () => {
  const exempt = policy({ exemptCidrs: EXEMPT });

  it('an exempt request is not checked (no lookup) and does not move the references', () => {
    lookups.length = 0;
    const [outcome] = walk('198.51.100.10', ['10.8.0.5'], levels('bind_asn', 'bind_continent'), exempt);
    expect(outcome).toEqual({
      action: 'pass',
      references: { lastIp: '10.8.0.5', networkIp: '198.51.100.10', geoipIp: '198.51.100.10' },
    });
    expect(lookups).toEqual([]);
  });

  it('a hop through the exempt network cannot launder a move', () => {
    const outcomes = walk('198.51.100.10', ['10.8.0.5', '203.0.113.5'], levels('bind_asn'), exempt);
    expect(outcomes[1]).toMatchObject({ action: 'terminate', previousIp: '198.51.100.10' });
    // ...and coming back from it to where the session was is no move at all (not even a lookup)
    lookups.length = 0;
    expect(
      actions(walk('198.51.100.10', ['10.8.0.5', '198.51.100.10'], levels('bind_asn_network_ip'), exempt)),
    ).toEqual(['pass', 'pass']);
    expect(lookups).toEqual([]);
  });

  it('without the exemption the same network would end the session', () => {
    expect(actions(walk('198.51.100.10', ['10.8.0.5'], levels('bind_asn'), policy()))).toEqual(['terminate']);
  });
});

describe('ipv6_prefix', () => {
  const ipLevel = levels('bind_asn_network_ip');

  it('128 (default): another address in the same /64 is another IP', () => {
    expect(walk('2001:db8:1:1::a', ['2001:db8:1:1::b'], ipLevel, policy())[0]).toMatchObject({
      action: 'terminate',
      verdict: { reason: 'network.ip', previous_value: '2001:db8:1:1::a', new_value: '2001:db8:1:1::b' },
    });
  });

  it('64: a privacy address in the same /64 is the same IP, another /64 is not', () => {
    const sixtyFour = policy({ ipv6Prefix: 64 });
    expect(actions(walk('2001:db8:1:1::a', ['2001:db8:1:1::b'], ipLevel, sixtyFour))).toEqual(['pass']);
    expect(walk('2001:db8:1:1::a', ['2001:db8:1:2::a'], ipLevel, sixtyFour)[0]).toMatchObject({
      verdict: { reason: 'network.ip' },
    });
  });

  it('48: two /64s of one /48 are the same IP', () => {
    expect(actions(walk('2001:db8:1:1::a', ['2001:db8:1:2::a'], ipLevel, policy({ ipv6Prefix: 48 })))).toEqual([
      'pass',
    ]);
  });

  it('has no effect on IPv4', () => {
    expect(actions(walk('198.51.100.10', ['198.51.100.20'], ipLevel, policy({ ipv6Prefix: 1 })))).toEqual([
      'terminate',
    ]);
  });
});

describe('isExempt and parseExemptCidrs', () => {
  it.each([
    ['10.8.3.4', ['10.8.0.0/16'], true],
    ['10.9.0.1', ['10.8.0.0/16'], false],
    ['2001:db8::5', ['2001:db8::/32'], true],
    ['2001:db9::5', ['2001:db8::/32'], false],
    ['10.8.3.4', ['2001:db8::/32'], false],
    ['10.8.3.4', [], false],
    ['10.8.3.4', ['garbage'], false],
  ])('isExempt(%s, %j) = %s', (ip, cidrs, expected) => {
    expect(isExempt(ip, cidrs)).toBe(expected);
  });

  it('accepts CIDR lists and trims them', () => {
    expect(parseExemptCidrs([' 10.0.0.0/8', '2001:db8::/32'])).toEqual(['10.0.0.0/8', '2001:db8::/32']);
    expect(parseExemptCidrs([])).toEqual([]);
  });

  it.each([
    ['not a list', '10.0.0.0/8', /list of CIDR strings/],
    ['a number', [10], /not a CIDR string/],
    ['a bare address', ['10.0.0.1'], /not a network in CIDR notation/],
    ['a bad prefix', ['10.0.0.0/33'], /not a network in CIDR notation/],
    ['host bits', ['10.0.0.1/8'], /did you mean "10.0.0.0\/8"/],
    ['IPv6 host bits', ['2001:db8::1/32'], /did you mean "2001:db8::\/32"/],
    ['an IPv4-mapped network', ['::ffff:10.0.0.0/104'], /write it as IPv4/],
    ['too many', Array.from({ length: 101 }, (_, i) => `10.${i}.0.0/16`), /at most 100/],
  ])('refuses %s', (_name, value, message) => {
    expect(() => parseExemptCidrs(value)).toThrow(message);
  });

  it('accepts exactly 100 networks, and names the entry that is not a string', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => `10.${i}.0.0/16`);
    expect(parseExemptCidrs(hundred)).toEqual(hundred);
    expect(() => parseExemptCidrs(['10.0.0.0/8', { cidr: '10.0.0.0/8' }])).toThrow(
      '{"cidr":"10.0.0.0/8"} is not a CIDR string.',
    );
  });

  // Everything stored must be something the check understands: the forms below are CIDRs to
  // ipaddr.js, but Node's BlockList (the check) reads no address in them, so they would be
  // stored and never match.
  it.each([
    ['a three-part IPv4 address', '10.0.0/24'],
    ['a leading zero (octal to some parsers)', '010.0.0.0/8'],
    ['a zero-padded IPv4 tail in IPv6', '0000:0000:0000:0000:0000:0000:000.000.000.000/128'],
    ['text around the network', 'x10.0.0.0/8'],
    ['a prefix with text after it', '10.0.0.0/8x'],
    ['a prefix of four digits', '10.0.0.0/0008'],
  ])('refuses %s (%s), naming it', (_name, entry) => {
    expect(() => parseExemptCidrs([entry])).toThrow(`"${entry}" is not a network in CIDR notation`);
  });

  it('every network it accepts exempts exactly the addresses inside it', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })),
          fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 })),
        ),
        fc.oneof(fc.ipV4(), fc.ipV6()),
        ([address, prefix], probe) => {
          const parsed = ipaddr.parse(address);
          if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) return;
          const network =
            parsed.kind() === 'ipv4'
              ? ipaddr.IPv4.networkAddressFromCIDR(`${address}/${prefix}`)
              : ipaddr.IPv6.networkAddressFromCIDR(`${address}/${prefix}`);
          const [cidr] = parseExemptCidrs([`${network.toString()}/${prefix}`]);
          const range = ipaddr.parseCIDR(cidr);
          // as the request path hands it over: normalised, an IPv4-mapped IPv6 address as IPv4
          const client = ipaddr.process(probe);
          // Node's BlockList also matches an IPv4 client against an IPv6 network holding its
          // IPv4-mapped form (::ffff:a.b.c.d), e.g. ::/0 exempts every IPv4 client as well.
          const inside =
            client.kind() === range[0].kind()
              ? client.match(range)
              : client.kind() === 'ipv4' && (client as ipaddr.IPv4).toIPv4MappedAddress().match(range);
          expect(isExempt(client.toString(), [cidr])).toBe(inside);
          expect(isExempt(range[0].toString(), [cidr])).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('isExempt on entries the API would refuse (never stored; the check must still not throw)', () => {
  it.each([
    ['10.8.3.4', ['10.8.3.4'], true, 'a bare IPv4 address is that one address'],
    ['10.8.3.5', ['10.8.3.4'], false, 'a bare IPv4 address is that one address'],
    ['2001:db8::1', ['2001:db8::1'], true, 'a bare IPv6 address is that one address'],
    ['2001:db8::2', ['2001:db8::1'], false, 'a bare IPv6 address is that one address'],
    ['10.8.3.4', ['10.8.3.4/32'], true, 'a /32 is one address'],
    ['10.8.3.5', ['10.8.3.4/32'], false, 'a /32 is one address'],
    ['2001:db8::1', ['2001:db8::1/128'], true, 'a /128 is one address'],
    ['10.8.3.4', ['10.0.0.0/33'], false, 'an IPv4 prefix over 32 is skipped'],
    ['2001:db8::1', ['2001:db8::/129'], false, 'an IPv6 prefix over 128 is skipped'],
    ['10.8.3.4', ['10.0.0.0/'], false, 'an empty prefix is skipped (not /0)'],
    ['10.8.3.4', ['10.0.0.0/-1'], false, 'a negative prefix is skipped'],
    ['10.8.3.4', ['10.0.0.0/8.5'], false, 'a fractional prefix is skipped'],
    ['10.8.3.4', ['garbage', '10.0.0.0/33', '10.8.0.0/16'], true, 'the good entries of a list still count'],
    ['not-an-ip', ['10.0.0.0/8', '2001:db8::/32'], false, 'a value that is no IP is never exempt'],
    ['', ['0.0.0.0/0', '::/0'], false, 'an empty value is never exempt'],
  ])('isExempt(%j, %j) = %s: %s', (ip, cidrs, expected) => {
    expect(isExempt(ip, cidrs)).toBe(expected);
  });

  it('two lists are never confused, whichever was checked first', () => {
    // As one string without a separator these two would be the same.
    expect(isExempt('10.1.1.1', ['10.0.0.0/8', '1.0.0.0/8'])).toBe(true);
    expect(isExempt('10.1.1.1', ['10.0.0.0/81.0.0.0/8'])).toBe(false);
    expect(isExempt('10.1.1.1', ['10.0.0.0/8', '1.0.0.0/8'])).toBe(true);
    expect(isExempt('1.1.1.1', ['10.0.0.0/8'])).toBe(false);
    expect(isExempt('1.1.1.1', ['1.0.0.0/8'])).toBe(true);
  });

  it('keeps answering right after more distinct lists than it keeps parsed', () => {
    for (let i = 0; i < 300; i++) {
      const list = [`10.${i % 256}.0.0/16`, `192.168.${i % 256}.0/24`];
      expect(isExempt(`10.${i % 256}.9.9`, list)).toBe(true);
      expect(isExempt(`10.${(i + 1) % 256}.9.9`, list)).toBe(false);
    }
  });
});

describe('isExempt and parseExemptCidrs (stored values)', () => {
  it('storedReference is null when the reference is last_ip', () => {
    expect(storedReference('1.2.3.4', '1.2.3.4')).toBeNull();
    expect(storedReference('1.2.3.4', '5.6.7.8')).toBe('1.2.3.4');
  });
});

describe('properties (fast-check)', () => {
  const ips = Object.keys(WORLD);
  const arbitraryLevels = fc.record({
    network: fc.constantFrom(...NETWORK_BINDINGS),
    geoip: fc.constantFrom(...GEOIP_BINDINGS),
  });
  const arbitraryPolicy = fc.record({
    mode: fc.constant('enforce' as const),
    onMissingRecord: fc.constantFrom('terminate' as const, 'allow' as const),
    exemptCidrs: fc.constantFrom([] as string[], EXEMPT),
    ipv6Prefix: fc.oneof(fc.constantFrom(128, 64, 48), fc.integer({ min: 1, max: 128 })),
  });
  const arbitraryIps = fc.array(fc.constantFrom(...ips), { minLength: 1, maxLength: 25 });

  it('for any sequence of IPs, log mode writes an event exactly where enforce would have ended the session', () => {
    fc.assert(
      fc.property(
        arbitraryLevels,
        arbitraryPolicy,
        fc.constantFrom(...ips),
        arbitraryIps,
        (bound, rules, first, seq) => {
          const enforced = walk(first, seq, bound, rules);
          const logged = walk(first, seq, bound, { ...rules, mode: 'log' });
          // log never ends a session
          expect(logged).toHaveLength(seq.length);
          expect(logged.some((o) => o.action === 'terminate')).toBe(false);
          // the first logged violation is where enforce ended the session, with the same verdict
          const ended = enforced.findIndex((o) => o.action === 'terminate');
          const firstEvent = logged.findIndex((o) => o.action === 'record_violation');
          expect(firstEvent).toBe(ended);
          if (ended >= 0) {
            const { verdict, previousIp } = enforced[ended] as Extract<BindingOutcome, { action: 'terminate' }>;
            expect(logged[firstEvent]).toMatchObject({ verdict, previousIp });
          }
          // and at every step after that too: from the state log mode is in, enforce ends the
          // session exactly where log mode records a violation
          let references = start(first);
          seq.forEach((ip, i) => {
            const strict = evaluateBinding({ levels: bound, policy: rules, references, ip, lookup });
            expect(strict.action === 'terminate').toBe(logged[i].action === 'record_violation');
            if (logged[i].action !== 'terminate')
              references = (logged[i] as { references: BindingReferences }).references;
          });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a hop through an exempt network never changes the outcome of the requests after it', () => {
    fc.assert(
      fc.property(
        arbitraryLevels,
        arbitraryPolicy,
        fc.constantFrom(...ips.filter((ip) => !isExempt(ip, EXEMPT))),
        fc.array(fc.constantFrom(...ips.filter((ip) => !isExempt(ip, EXEMPT))), { minLength: 1, maxLength: 15 }),
        fc.array(fc.nat(14), { maxLength: 5 }),
        (bound, rules, first, seq, hops) => {
          const exempt = { ...rules, exemptCidrs: EXEMPT };
          const withHops = seq.flatMap((ip, i) => (hops.includes(i) ? ['10.8.0.5', ip] : [ip]));
          const direct = walk(first, seq, bound, exempt).map((o) => o.action);
          const hopped = walk(first, withHops, bound, exempt)
            .filter((_, i) => withHops[i] !== '10.8.0.5')
            .map((o) => o.action);
          expect(hopped).toEqual(direct);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('under allow, a hop through an IP no database knows never changes the outcome after it', () => {
    const unknown = '192.0.2.1';
    const known = ips.filter((ip) => WORLD[ip].asn && WORLD[ip].geo);
    fc.assert(
      fc.property(
        arbitraryLevels,
        arbitraryPolicy,
        fc.constantFrom(...known),
        fc.array(fc.constantFrom(...known), { minLength: 1, maxLength: 15 }),
        fc.array(fc.nat(14), { maxLength: 5 }),
        (bound, rules, first, seq, hops) => {
          const allow = { ...rules, onMissingRecord: 'allow' as const };
          const withHops = seq.flatMap((ip, i) => (hops.includes(i) ? [unknown, ip] : [ip]));
          const direct = walk(first, seq, bound, allow).map((o) => o.action);
          const hopped = walk(first, withHops, bound, allow);
          expect(hopped.filter((_, i) => withHops[i] === unknown).every((o) => o.action === 'pass')).toBe(true);
          expect(hopped.filter((_, i) => withHops[i] !== unknown).map((o) => o.action)).toEqual(direct);
        },
      ),
      { numRuns: 300 },
    );
  });
});
