import { DEFAULT_LOGIN_THROTTLE, type LoginThrottleLimits } from './throttle/login-throttle.js';

/** Settings of the flows module. */
export interface FlowsOptions {
  /** @default 'idp_flow' */
  flowCookieName: string;
  /** How long an unfinished flow is kept. @default 30 minutes */
  flowLifetimeMs: number;
  /** @default 'auto' */
  cookieSecure: 'auto' | 'true' | 'false';
  /** Failed-password budgets of the password stage. @default 10 per user and IP, 100 per IP, per 15 minutes */
  loginThrottle: LoginThrottleLimits;
}

export const FLOWS_OPTIONS = Symbol('FLOWS_OPTIONS');

export const DEFAULT_FLOWS_OPTIONS: FlowsOptions = {
  flowCookieName: 'idp_flow',
  flowLifetimeMs: 30 * 60 * 1000,
  cookieSecure: 'auto',
  loginThrottle: DEFAULT_LOGIN_THROTTLE,
};
