import { DurationFormatError, parseDuration } from './duration.js';

/** The values of a stage's `device_bound_sessions`: `off`, or `prefer` DBSC where the browser has it. */
export const DEVICE_BOUND_SESSIONS = ['off', 'prefer'] as const;
export type DeviceBoundSessions = (typeof DEVICE_BOUND_SESSIONS)[number];

export function isDeviceBoundSessions(value: unknown): value is DeviceBoundSessions {
  return (DEVICE_BOUND_SESSIONS as readonly unknown[]).includes(value);
}

/**
 * Parses a stage's `remember_device`: how long the device cookie lasts; `seconds=0` sets none.
 * @throws DurationFormatError for any {@link parseDuration} failure or a negative total.
 */
export function validateRememberDevice(value: string): number {
  const ms = parseDuration(value);
  if (ms < 0) throw new DurationFormatError(value, 'negative', 'remember_device must not be negative.');
  return ms;
}
