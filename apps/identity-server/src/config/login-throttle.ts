import { DEFAULT_LOGIN_THROTTLE, type LoginThrottleLimits } from '@idp/flows';
import { DurationFormatError, parseDuration } from '@idp/user-login';

const USAGE = 'expected e.g. "user_ip=10,ip=100,window=minutes=15"';
const KEYS = ['user_ip', 'ip', 'window'] as const;
// The budgets are counted with SQL count(*); a million is far beyond any sensible limit.
const MAX_BUDGET = 1_000_000;

/**
 * Parses `LOGIN_THROTTLE`: `user_ip=<n>` (failures per username and IP), `ip=<n>` (per IP) and
 * `window=<duration>` (section 4 syntax, which may itself contain commas), each optional, in any
 * order; unset keys keep their defaults.
 * @throws TypeError naming the part that is wrong
 */
export function parseLoginThrottle(value: string): LoginThrottleLimits {
  const parts: Array<[string, string]> = [];
  if (value.trim() === '') return { ...DEFAULT_LOGIN_THROTTLE };
  for (const piece of value.split(',')) {
    const key = /^\s*([a-z_]+)\s*=/.exec(piece)?.[1];
    if (key && (KEYS as readonly string[]).includes(key)) {
      parts.push([key, piece.slice(piece.indexOf('=') + 1).trim()]);
    } else if (parts.at(-1)?.[0] === 'window') {
      // A comma inside the window's duration (window=hours=1,minutes=30).
      parts.at(-1)![1] += `,${piece.trim()}`;
    } else {
      throw new TypeError(`"${piece.trim()}" is not user_ip=, ip= or window= (${USAGE})`);
    }
  }
  const limits = { ...DEFAULT_LOGIN_THROTTLE };
  const seen = new Set<string>();
  for (const [key, raw] of parts) {
    if (seen.has(key)) throw new TypeError(`${key} is given twice (${USAGE})`);
    seen.add(key);
    if (key === 'window') {
      let ms: number;
      try {
        ms = parseDuration(raw);
      } catch (error) {
        if (error instanceof DurationFormatError) throw new TypeError(`window: ${error.message}`, { cause: error });
        throw error;
      }
      if (ms < 1000) throw new TypeError(`window must be at least one second, got "${raw}"`);
      limits.windowMs = ms;
    } else {
      if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_BUDGET) {
        throw new TypeError(`${key} must be a whole number from 1 to ${MAX_BUDGET}, got "${raw}"`);
      }
      limits[key === 'user_ip' ? 'perUserAndIp' : 'perIp'] = Number(raw);
    }
  }
  return limits;
}
