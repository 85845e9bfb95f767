/**
 * How a session's binding is applied (docs/api.md, Session binding): what a break does (`binding_mode`),
 * what an IP the databases do not know does (`on_missing_record`), which networks are never
 * checked (`binding_exempt_cidrs`) and how much of an IPv6 address is "the IP" (`ipv6_prefix`).
 *
 * A session keeps, per database, the IP its last accepted check compared with (the reference).
 * With the defaults every reference is simply `last_ip`. An exempt request, or one the database
 * has no record for under `allow`, leaves its reference where it was, so the next request is
 * compared with the last IP that was really checked: a hop through such an address cannot
 * launder a move.
 */
import { BlockList, isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import {
  checkGeoIpBinding,
  checkNetworkBinding,
  type BindingLevels,
  type BrokenVerdict,
  type IpFacts,
} from './session-binding.js';

/** `binding_mode` values, default first. */
export const BINDING_MODES = ['enforce', 'log'] as const;
/** What a broken binding does: end the session, or keep it and write an event. */
export type BindingMode = (typeof BINDING_MODES)[number];

/** `on_missing_record` values, default first. */
export const MISSING_RECORD_POLICIES = ['terminate', 'allow'] as const;
/** What a request from an IP without a database record does to that database's levels. */
export type MissingRecordPolicy = (typeof MISSING_RECORD_POLICIES)[number];

/** The binding options a session carries, copied from its login stage. */
export interface BindingPolicy {
  mode: BindingMode;
  onMissingRecord: MissingRecordPolicy;
  /** CIDRs whose requests are not checked (validated with {@link parseExemptCidrs}). */
  exemptCidrs: readonly string[];
  /** 1..128: IPv6 addresses in the same /N are the same IP for `network.ip`. */
  ipv6Prefix: number;
}

/** Today's behaviour: every break ends the session, nothing is exempt, IPv6 compared in full. */
export const DEFAULT_BINDING_POLICY: BindingPolicy = Object.freeze({
  mode: 'enforce',
  onMissingRecord: 'terminate',
  exemptCidrs: Object.freeze([]) as readonly string[],
  ipv6Prefix: 128,
});

/** Where a session's next binding check compares from. */
export interface BindingReferences {
  /** The last client IP (what people see); moves on every request the session survives. */
  lastIp: string;
  /** The IP the network levels compare with. */
  networkIp: string;
  /** The IP the GeoIP levels compare with. */
  geoipIp: string;
}

/** What one request does to a session's binding. */
export type BindingOutcome =
  | { action: 'pass'; references: BindingReferences }
  | { action: 'terminate'; verdict: BrokenVerdict; previousIp: string }
  | { action: 'record_violation'; verdict: BrokenVerdict; previousIp: string; references: BindingReferences };

/** What the databases know about an IP; the caller decides which databases it reads. */
export type FactsLookup = (ip: string) => IpFacts;

/**
 * Whether `value` is a valid `binding_mode`.
 * @example isBindingMode('log') // true
 */
export function isBindingMode(value: unknown): value is BindingMode {
  return (BINDING_MODES as readonly unknown[]).includes(value);
}

/**
 * Whether `value` is a valid `on_missing_record`.
 * @example isMissingRecordPolicy('allow') // true
 */
export function isMissingRecordPolicy(value: unknown): value is MissingRecordPolicy {
  return (MISSING_RECORD_POLICIES as readonly unknown[]).includes(value);
}

/** How many exempt networks a stage may list. */
export const MAX_EXEMPT_CIDRS = 100;

/**
 * Checks a `binding_exempt_cidrs` value: a JSON array of CIDR strings (`10.0.0.0/8`,
 * `2001:db8::/32`) without host bits, returned trimmed.
 * @throws TypeError with a message that names the first bad entry and how to fix it
 * @example parseExemptCidrs(['10.0.0.0/8']) // ['10.0.0.0/8']
 */
export function parseExemptCidrs(value: unknown): string[] {
  if (!Array.isArray(value)) throw new TypeError('Expected a list of CIDR strings, e.g. ["10.0.0.0/8"].');
  if (value.length > MAX_EXEMPT_CIDRS)
    throw new TypeError(`Ensure this list has at most ${MAX_EXEMPT_CIDRS} networks.`);
  return value.map((entry) => {
    if (typeof entry !== 'string') throw new TypeError(`${JSON.stringify(entry)} is not a CIDR string.`);
    const cidr = entry.trim();
    // isIP is the parser the check uses (exemptList): ipaddr.js alone also takes `10.0.0/24` or
    // `010.0.0.0/8`, which would be stored and then never match.
    if (
      cidr.length > 64 ||
      !/^[0-9A-Fa-f.:]+\/\d{1,3}$/.test(cidr) ||
      !ipaddr.isValidCIDR(cidr) ||
      isIP(cidr.slice(0, cidr.indexOf('/'))) === 0
    ) {
      throw new TypeError(`"${entry}" is not a network in CIDR notation, e.g. 10.0.0.0/8 or 2001:db8::/32.`);
    }
    const [address, prefix] = ipaddr.parseCIDR(cidr);
    if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
      throw new TypeError(`"${entry}" is an IPv4-mapped network: write it as IPv4, e.g. 10.0.0.0/8.`);
    }
    const network = networkOf(address, prefix);
    if (network !== `${address.toString()}/${prefix}`) {
      throw new TypeError(`"${entry}" has host bits set: did you mean "${network}"?`);
    }
    return cidr;
  });
}

function networkOf(address: ipaddr.IPv4 | ipaddr.IPv6, prefix: number): string {
  const network =
    address.kind() === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${prefix}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${prefix}`);
  return `${network.toString()}/${prefix}`;
}

/**
 * Whether a normalised client IP lies in one of the exempt networks. Entries that do not parse
 * (never stored: the API validates them) are ignored rather than thrown on the request path.
 * @example isExempt('10.1.2.3', ['10.0.0.0/8']) // true
 */
export function isExempt(ip: string, cidrs: readonly string[]): boolean {
  if (cidrs.length === 0) return false;
  const family = isIP(ip);
  if (family === 0) return false;
  return exemptList(cidrs).check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

// Parsing a CIDR list costs far more than checking an address against it, and every session of a
// stage carries the same list: keep the parsed form per distinct list (bounded, so lists that are
// no longer in use cannot pile up).
const EXEMPT_LISTS = new Map<string, BlockList>();
const MAX_CACHED_LISTS = 256;

function exemptList(cidrs: readonly string[]): BlockList {
  const key = cidrs.join(',');
  let list = EXEMPT_LISTS.get(key);
  if (!list) {
    list = new BlockList();
    for (const cidr of cidrs) {
      const slash = cidr.indexOf('/');
      const address = slash < 0 ? cidr : cidr.slice(0, slash);
      const family = isIP(address);
      const bits = family === 4 ? 32 : 128;
      const digits = cidr.slice(slash + 1);
      const prefix = slash < 0 ? bits : /^\d{1,3}$/.test(digits) ? Number(digits) : NaN;
      // addSubnet throws on a prefix out of range: a bad entry is skipped, not a 500.
      if (family !== 0 && prefix <= bits) list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
    }
    if (EXEMPT_LISTS.size >= MAX_CACHED_LISTS) EXEMPT_LISTS.clear();
    EXEMPT_LISTS.set(key, list);
  }
  return list;
}

/**
 * Decides what a request from `ip` does to a session: pass (with the references to keep), end it
 * (`enforce`), or keep it and record a violation (`log`). The network levels are checked first,
 * then the GeoIP levels; the first break is the one reported. `lookup` is called only for the
 * IPs and databases a check needs, so an unbound session or an exempt request costs no lookup.
 * In `log` mode, the references follow the client after a violation, so each violating move is
 * reported once, exactly where `enforce` would have ended the session.
 */
export function evaluateBinding(input: {
  levels: BindingLevels;
  policy: BindingPolicy;
  references: BindingReferences;
  ip: string;
  lookup: FactsLookup;
}): BindingOutcome {
  const { levels, policy, references, ip } = input;
  if (ip === references.lastIp && references.networkIp === ip && references.geoipIp === ip) {
    return { action: 'pass', references };
  }
  if (isExempt(ip, policy.exemptCidrs)) return { action: 'pass', references: { ...references, lastIp: ip } };

  const cache = new Map<string, IpFacts>();
  const lookup = (address: string): IpFacts => {
    let facts = cache.get(address);
    if (!facts) cache.set(address, (facts = input.lookup(address)));
    return facts;
  };
  const allow = policy.onMissingRecord === 'allow';

  const network = checkPart(
    levels.network === 'no_binding',
    references.networkIp,
    ip,
    allow,
    lookup,
    (f) => f.asn,
    (a, b) => checkNetworkBinding(levels.network, a, b, policy.ipv6Prefix),
  );
  if (network.verdict && policy.mode === 'enforce') {
    return { action: 'terminate', verdict: network.verdict, previousIp: references.networkIp };
  }
  const geoip = checkPart(
    levels.geoip === 'no_binding',
    references.geoipIp,
    ip,
    allow,
    lookup,
    (f) => f.geo,
    (a, b) => checkGeoIpBinding(levels.geoip, a, b),
  );
  const next: BindingReferences = { lastIp: ip, networkIp: network.reference, geoipIp: geoip.reference };
  const broke = network.verdict
    ? { verdict: network.verdict, previousIp: references.networkIp }
    : geoip.verdict
      ? { verdict: geoip.verdict, previousIp: references.geoipIp }
      : null;
  if (!broke) return { action: 'pass', references: next };
  if (policy.mode === 'enforce') return { action: 'terminate', ...broke };
  return { action: 'record_violation', ...broke, references: next };
}

interface PartResult {
  verdict: BrokenVerdict | null;
  /** Where this database's next check compares from. */
  reference: string;
}

// One database's levels. Under `allow`, an IP without a record neither breaks nor becomes the
// reference; a reference without a record (the login came from such an IP) gives way to the
// first IP that has one.
function checkPart(
  unbound: boolean,
  reference: string,
  ip: string,
  allow: boolean,
  lookup: FactsLookup,
  record: (facts: IpFacts) => unknown,
  check: (previous: IpFacts, current: IpFacts) => BrokenVerdict | null,
): PartResult {
  if (unbound || reference === ip) return { verdict: null, reference: ip };
  const previous = lookup(reference);
  const current = lookup(ip);
  if (allow && record(current) == null) return { verdict: null, reference };
  if (allow && record(previous) == null) return { verdict: null, reference: ip };
  // A broken part also moves: in `log` mode the client's new place is the next comparison's start.
  return { verdict: check(previous, current), reference: ip };
}

/**
 * The stored form of a reference: null when it equals `last_ip` (the default state, which needs
 * no extra column value).
 * @example storedReference('1.2.3.4', '1.2.3.4') // null
 */
export function storedReference(reference: string, lastIp: string): string | null {
  return reference === lastIp ? null : reference;
}
