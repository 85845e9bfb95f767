import { describe, expect, it } from 'vitest';
import { BINDING_MODES, isBindingMode, isMissingRecordPolicy, MISSING_RECORD_POLICIES } from './binding-policy.js';
import { sameIp } from './session-binding.js';

// The small predicates the stage validation and the session check lean on, pinned one by one.

describe('isBindingMode / isMissingRecordPolicy', () => {
  it('accept exactly the declared values', () => {
    for (const mode of BINDING_MODES) expect(isBindingMode(mode)).toBe(true);
    for (const policy of MISSING_RECORD_POLICIES) expect(isMissingRecordPolicy(policy)).toBe(true);
  });

  it.each([['Enforce'], ['enforce '], [''], [null], [undefined], [1], [['enforce']]])('refuse %j', (value) => {
    expect(isBindingMode(value)).toBe(false);
    expect(isMissingRecordPolicy(value)).toBe(false);
  });

  it('do not accept each other’s values', () => {
    for (const mode of BINDING_MODES.filter((m) => !(MISSING_RECORD_POLICIES as readonly string[]).includes(m))) {
      expect(isMissingRecordPolicy(mode)).toBe(false);
    }
    for (const policy of MISSING_RECORD_POLICIES.filter((p) => !(BINDING_MODES as readonly string[]).includes(p))) {
      expect(isBindingMode(policy)).toBe(false);
    }
  });
});

describe('sameIp', () => {
  it.each([
    ['203.0.113.5', '203.0.113.5', 128, true],
    ['203.0.113.5', '203.0.113.6', 128, false],
    // The prefix is for IPv6 only: two IPv4 addresses are the same only when equal.
    ['203.0.113.5', '203.0.113.6', 64, false],
    ['2001:db8::1', '2001:db8::1', 128, true],
    ['2001:db8::1', '2001:db8::2', 128, false],
    ['2001:db8::1', '2001:db8::2', 64, true],
    ['2001:db8:0:1::1', '2001:db8:0:2::1', 64, false],
    ['2001:db8:0:1::1', '2001:db8:0:2::1', 48, true],
    ['2001:db8::1', '203.0.113.5', 64, false],
    ['203.0.113.5', '2001:db8::1', 64, false],
  ] as const)('%s and %s with /%i -> %s', (a, b, prefix, expected) => {
    expect(sameIp(a, b, prefix)).toBe(expected);
  });

  it('defaults to /128: only equal addresses', () => {
    expect(sameIp('2001:db8::1', '2001:db8::1')).toBe(true);
    expect(sameIp('2001:db8::1', '2001:db8::2')).toBe(false);
  });
});
