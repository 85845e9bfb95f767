import { describe, expect, it } from 'vitest';
import { reconnectDelayMs } from './session-invalidation.listener.js';

describe('reconnectDelayMs', () => {
  it('waits the base delay after the first failure and doubles it after each further one', () => {
    expect([1, 2, 3, 4].map((failures) => reconnectDelayMs(failures, 1000))).toEqual([1000, 2000, 4000, 8000]);
    expect([1, 2, 3].map((failures) => reconnectDelayMs(failures, 250))).toEqual([250, 500, 1000]);
  });

  it('never waits more than 10 s, however long the database stays away', () => {
    expect(reconnectDelayMs(5, 1000)).toBe(10_000);
    expect(reconnectDelayMs(40, 1000)).toBe(10_000);
    // A base above the cap is capped too.
    expect(reconnectDelayMs(1, 60_000)).toBe(10_000);
  });
});
