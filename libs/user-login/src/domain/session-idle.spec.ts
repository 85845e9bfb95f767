import { describe, expect, it } from 'vitest';
import { idleExpiresAt, idleRenewalIntervalMs, isSessionLive, shouldRenewIdle } from './session-idle.js';

const NOW = new Date('2026-01-01T12:00:00Z');
const at = (ms: number) => new Date(NOW.getTime() + ms);

describe('session idle timeout', () => {
  it.each([
    [600_000, 60_000],
    [120_000, 60_000],
    [60_000, 30_000],
    [10_000, 5_000],
  ])('renews a %i ms timeout at most every %i ms', (timeout, interval) => {
    expect(idleRenewalIntervalMs(timeout)).toBe(interval);
  });

  it('idleExpiresAt is null when off', () => {
    expect(idleExpiresAt(NOW, 0)).toBeNull();
    expect(idleExpiresAt(NOW, 1_800_000)).toEqual(at(1_800_000));
  });

  it('renews only once the interval has passed since the last renewal', () => {
    const timeout = 1_800_000;
    const renewedAt = (ms: number) => at(ms + timeout);
    expect(shouldRenewIdle({ idleExpires: renewedAt(0), now: at(59_999), idleTimeoutMs: timeout })).toBe(false);
    expect(shouldRenewIdle({ idleExpires: renewedAt(0), now: at(60_000), idleTimeoutMs: timeout })).toBe(true);
    // a short timeout renews per half of it
    expect(shouldRenewIdle({ idleExpires: at(20_000), now: at(9_999), idleTimeoutMs: 20_000 })).toBe(false);
    expect(shouldRenewIdle({ idleExpires: at(20_000), now: at(10_000), idleTimeoutMs: 20_000 })).toBe(true);
  });

  it('never renews without a timeout; renews at once a session that has no idle expiry yet', () => {
    expect(shouldRenewIdle({ idleExpires: null, now: NOW, idleTimeoutMs: 0 })).toBe(false);
    expect(shouldRenewIdle({ idleExpires: null, now: NOW, idleTimeoutMs: 60_000 })).toBe(true);
  });

  it('a session is live before both its expiry and its idle expiry', () => {
    expect(isSessionLive({ expires: at(1), idleExpires: null }, NOW)).toBe(true);
    expect(isSessionLive({ expires: at(0), idleExpires: null }, NOW)).toBe(false);
    expect(isSessionLive({ expires: at(10_000), idleExpires: at(1) }, NOW)).toBe(true);
    expect(isSessionLive({ expires: at(10_000), idleExpires: at(0) }, NOW)).toBe(false);
  });
});
