import { describe, expect, it } from 'vitest';
import { decideSessionLimit, isLimitPolicy, type LiveSession } from './session-limit.js';

const t = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 12, minutes));
const live: LiveSession[] = [
  { uuid: 'c', lastUsed: t(30), created: t(3) },
  { uuid: 'a', lastUsed: t(10), created: t(1) },
  { uuid: 'b', lastUsed: t(20), created: t(2) },
  { uuid: 'd', lastUsed: t(10), created: t(0) },
];

describe('decideSessionLimit', () => {
  it('0 is unlimited', () => {
    expect(decideSessionLimit({ maxSessions: 0, onLimit: 'deny', live })).toEqual({ action: 'allow', evict: [] });
  });

  it('under the limit, nothing happens', () => {
    expect(decideSessionLimit({ maxSessions: 5, onLimit: 'deny', live })).toEqual({ action: 'allow', evict: [] });
  });

  it('deny refuses a login that would exceed the limit', () => {
    expect(decideSessionLimit({ maxSessions: 4, onLimit: 'deny', live })).toEqual({ action: 'deny' });
    expect(decideSessionLimit({ maxSessions: 1, onLimit: 'deny', live: [] })).toEqual({ action: 'allow', evict: [] });
  });

  it('evict_oldest ends the least recently used first (ties: the older session)', () => {
    expect(decideSessionLimit({ maxSessions: 4, onLimit: 'evict_oldest', live })).toEqual({
      action: 'allow',
      evict: ['d'],
    });
    expect(decideSessionLimit({ maxSessions: 2, onLimit: 'evict_oldest', live })).toEqual({
      action: 'allow',
      evict: ['d', 'a', 'b'],
    });
    expect(decideSessionLimit({ maxSessions: 1, onLimit: 'evict_oldest', live })).toMatchObject({
      evict: ['d', 'a', 'b', 'c'],
    });
  });

  it('evict_oldest breaks a tie of last use and creation by uuid, so the choice never depends on row order', () => {
    const twins: LiveSession[] = [
      { uuid: 'y', lastUsed: t(5), created: t(1) },
      { uuid: 'x', lastUsed: t(5), created: t(1) },
      { uuid: 'z', lastUsed: t(5), created: t(1) },
    ];
    for (const order of [twins, twins.toReversed()]) {
      expect(decideSessionLimit({ maxSessions: 2, onLimit: 'evict_oldest', live: order })).toEqual({
        action: 'allow',
        evict: ['x', 'y'],
      });
    }
  });

  it('isLimitPolicy', () => {
    expect(isLimitPolicy('evict_oldest')).toBe(true);
    expect(isLimitPolicy('deny')).toBe(true);
    expect(isLimitPolicy('oldest')).toBe(false);
  });
});
