/** The source of "now", injected so tests move time instead of sleeping. */
export interface Clock {
  now(): Date;
}

/** Injection token for the {@link Clock}; the core module binds it to the system clock. */
export const CLOCK = Symbol('CLOCK');

export const systemClock: Clock = { now: () => new Date() };
