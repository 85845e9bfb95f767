import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';
import {
  expiresAt,
  sessionLifetime,
  shouldPrompt,
  shouldRenewBrowserSession,
  type SessionLifetime,
} from './session-lifetime.js';

const NOW = new Date('2025-01-01T12:00:00.000Z');
const DAY = 86_400_000;
const BROWSER: SessionLifetime = { kind: 'browser' };

describe('sessionLifetime', () => {
  it.each<[string, string, boolean, SessionLifetime, boolean]>([
    ['seconds=0', 'seconds=0', false, BROWSER, false],
    ['seconds=0', 'seconds=0', true, BROWSER, false],
    ['hours=8', 'seconds=0', false, { kind: 'absolute', maxAgeSeconds: 28_800 }, false],
    ['hours=8', 'seconds=0', true, { kind: 'absolute', maxAgeSeconds: 28_800 }, false],
    ['hours=8', 'days=30', true, { kind: 'absolute', maxAgeSeconds: 28_800 + 2_592_000 }, true],
    ['hours=8', 'days=30', false, { kind: 'absolute', maxAgeSeconds: 28_800 }, true],
    ['seconds=0', 'days=30', true, { kind: 'absolute', maxAgeSeconds: 2_592_000 }, true],
    ['seconds=0', 'days=30', false, BROWSER, true],
    // A negative offset switches the prompt off and never shortens the session.
    ['hours=1', 'hours=-5', true, { kind: 'absolute', maxAgeSeconds: 3_600 }, false],
    ['hours=1', 'hours=-5', false, { kind: 'absolute', maxAgeSeconds: 3_600 }, false],
    ['seconds=0', 'hours=-5', true, BROWSER, false],
    // Max-Age takes whole seconds: floored, but a positive total never drops below one second.
    ['seconds=1.9', 'seconds=0', false, { kind: 'absolute', maxAgeSeconds: 1 }, false],
    ['milliseconds=2500', 'seconds=0', false, { kind: 'absolute', maxAgeSeconds: 2 }, false],
    ['milliseconds=999', 'seconds=0', false, { kind: 'absolute', maxAgeSeconds: 1 }, false],
    ['microseconds=1', 'seconds=0', false, { kind: 'absolute', maxAgeSeconds: 1 }, false],
    ['seconds=0', 'milliseconds=500', true, { kind: 'absolute', maxAgeSeconds: 1 }, true],
  ])('duration %j + offset %j, remember %s -> %j (prompt: %s)', (duration, offset, rememberMe, lifetime, prompt) => {
    const sessionDurationMs = parseDuration(duration);
    const rememberMeOffsetMs = parseDuration(offset);
    expect(sessionLifetime({ sessionDurationMs, rememberMeOffsetMs, rememberMe })).toEqual(lifetime);
    expect(shouldPrompt(rememberMeOffsetMs)).toBe(prompt);
  });

  it.each([-1, -DAY, Number.NaN])('treats a non-positive or invalid total of %d ms as a browser session', (ms) => {
    expect(sessionLifetime({ sessionDurationMs: ms, rememberMeOffsetMs: 0, rememberMe: true })).toEqual(BROWSER);
  });
});

describe('shouldPrompt', () => {
  it.each([
    [1, true],
    [0.001, true],
    [DAY, true],
    [0, false],
    [-0, false],
    [-1, false],
  ])('offset %d ms -> %s', (offset, expected) => {
    expect(shouldPrompt(offset)).toBe(expected);
  });
});

describe('expiresAt', () => {
  it.each<[SessionLifetime, number, string]>([
    [BROWSER, DAY, '2025-01-02T12:00:00.000Z'],
    [BROWSER, 60_000, '2025-01-01T12:01:00.000Z'],
    [{ kind: 'absolute', maxAgeSeconds: 28_800 }, DAY, '2025-01-01T20:00:00.000Z'],
    [{ kind: 'absolute', maxAgeSeconds: 2_592_000 }, DAY, '2025-01-31T12:00:00.000Z'],
    [{ kind: 'absolute', maxAgeSeconds: 1 }, DAY, '2025-01-01T12:00:01.000Z'],
  ])('%j with idle %d ms -> %s', (lifetime, idle, expected) => {
    expect(expiresAt(NOW, lifetime, idle).toISOString()).toBe(expected);
  });

  it('does not mutate now', () => {
    const now = new Date(NOW);
    expiresAt(now, BROWSER, DAY);
    expect(now.getTime()).toBe(NOW.getTime());
  });
});

describe('shouldRenewBrowserSession', () => {
  const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);

  it.each<[string, number, number | undefined, boolean]>([
    ['just created', DAY, undefined, false],
    ['renewed 59.999 s ago', DAY - 59_999, undefined, false],
    ['renewed exactly 60 s ago', DAY - 60_000, undefined, true],
    ['renewed an hour ago', DAY - 3_600_000, undefined, true],
    ['already expired', -1, undefined, true],
    ['renewed 10 s ago, 5 s interval', DAY - 10_000, 5_000, true],
    ['renewed 4 s ago, 5 s interval', DAY - 4_000, 5_000, false],
    ['renewed 1 ms ago, no throttle', DAY - 1, 0, true],
    ['expiry in the future beyond the window', DAY + 60_000, undefined, false],
  ])('%s -> %s', (_label, expiresIn, minIntervalMs, expected) => {
    const input = { expires: at(expiresIn), now: NOW, browserIdleMs: DAY };
    const withInterval = minIntervalMs === undefined ? input : { ...input, minIntervalMs };
    expect(shouldRenewBrowserSession(withInterval)).toBe(expected);
  });

  it('writes at most once per minute under a steady stream of requests', () => {
    let expires = expiresAt(NOW, BROWSER, DAY);
    let writes = 0;
    // One request per second for ten minutes.
    for (let second = 1; second <= 600; second += 1) {
      const now = at(second * 1000);
      if (shouldRenewBrowserSession({ expires, now, browserIdleMs: DAY })) {
        expires = expiresAt(now, BROWSER, DAY);
        writes += 1;
      }
    }
    expect(writes).toBe(10);
  });
});
