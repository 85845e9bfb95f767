/** Settings of the core module, resolved from the environment by the host app. */
export interface CoreOptions {
  /** How long audit events are kept. @default 365 days */
  eventRetentionMs: number;
}

export const CORE_OPTIONS = Symbol('CORE_OPTIONS');

export const DEFAULT_CORE_OPTIONS: CoreOptions = { eventRetentionMs: 365 * 24 * 3600 * 1000 };
