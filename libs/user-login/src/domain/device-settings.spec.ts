import { describe, expect, it } from 'vitest';
import { isDeviceBoundSessions, validateRememberDevice } from './device-settings.js';
import { DurationFormatError } from './duration.js';

describe('device_bound_sessions', () => {
  it.each([
    ['off', true],
    ['prefer', true],
    ['on', false],
    ['Prefer', false],
    ['', false],
    [null, false],
  ])('isDeviceBoundSessions(%j) = %s', (value, expected) => {
    expect(isDeviceBoundSessions(value)).toBe(expected);
  });
});

describe('remember_device', () => {
  it('is a duration in milliseconds; seconds=0 (no device cookie) is allowed', () => {
    expect(validateRememberDevice('days=30')).toBe(30 * 24 * 3600 * 1000);
    expect(validateRememberDevice('seconds=0')).toBe(0);
    expect(validateRememberDevice('seconds=-0')).toBe(0);
  });

  it('refuses a negative duration, naming the value and the field', () => {
    let error: unknown;
    try {
      validateRememberDevice('hours=-1');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DurationFormatError);
    expect(error).toMatchObject({ value: 'hours=-1', reason: 'negative' });
    expect((error as Error).message).toMatch(/^hours=-1 .*remember_device must not be negative\.$/);
  });

  it('passes the duration parser’s own refusals through', () => {
    expect(() => validateRememberDevice('fortnights=1')).toThrow(DurationFormatError);
  });
});
