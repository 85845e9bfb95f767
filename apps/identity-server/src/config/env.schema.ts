import { DEFAULT_TRUSTED_PROXY_CIDRS, parseCidrList } from '@idp/core';
import { DurationFormatError, parseDuration } from '@idp/user-login';
import { z } from 'zod';
import { parseLoginThrottle } from './login-throttle.js';

/**
 * The identity server's environment, one entry per variable (`.env.example` documents each).
 * Every value arrives as text; blank counts as unset. Checks report the variable, the value and
 * how to fix it, and all of them run, so one start-up names every wrong variable at once.
 */
export const envSchema = z.object({
  DATABASE_URL: optional(z.string().refine(isPostgresUrl, 'use the form postgres://user:password@host:5432/database')),
  EMBEDDED_POSTGRES_DIR: text('./.data/postgres'),
  PORT: port(9000),
  HOST: text('127.0.0.1'),
  METRICS_PORT: withDefault(
    '9300',
    z.string().transform((value, ctx) => (value.toLowerCase() === 'off' ? null : toPort(value, ctx, '"off"'))),
  ),
  GEOIP_CITY_DB: optional(z.string()),
  GEOIP_ASN_DB: optional(z.string()),
  GEOIP_CITY_DB_OVERLAY: optional(z.string()),
  GEOIP_ASN_DB_OVERLAY: optional(z.string()),
  TRUSTED_PROXY_CIDRS: withDefault(
    DEFAULT_TRUSTED_PROXY_CIDRS.join(','),
    z.string().transform((value, ctx) => {
      try {
        return parseCidrList(value, 'TRUSTED_PROXY_CIDRS');
      } catch (error) {
        return fail(ctx, (error as Error).message.replace(/^TRUSTED_PROXY_CIDRS: /, ''));
      }
    }),
  ),
  SESSION_COOKIE_NAME: withDefault(
    'idp_session',
    z.string().regex(/^[A-Za-z0-9_-]+$/, 'may hold only letters, digits, _ and -'),
  ),
  COOKIE_SECURE: withDefault(
    'auto',
    z
      .string()
      .transform((value) => value.toLowerCase())
      .pipe(z.enum(['auto', 'true', 'false'], 'must be auto, true or false')),
  ),
  SESSION_BROWSER_IDLE: positiveDuration('days=1'),
  EVENT_RETENTION: positiveDuration('days=365'),
  SESSION_CACHE: withDefault(
    'on',
    z
      .string()
      .transform((value) => value.toLowerCase())
      .pipe(z.enum(['on', 'off'], 'must be on or off')),
  ),
  SESSION_CACHE_LISTEN_URL: optional(
    z.string().refine(isPostgresUrl, 'use the form postgres://user:password@host:5432/database'),
  ),
  SESSION_ACTIVITY_FLUSH: withDefault(
    'seconds=1',
    z.string().transform((value, ctx) => {
      try {
        const ms = parseDuration(value);
        return ms >= 0 && ms <= 60_000 ? ms : fail(ctx, 'must be between seconds=0 (write at once) and minutes=1');
      } catch (error) {
        if (error instanceof DurationFormatError) return fail(ctx, error.message);
        throw error;
      }
    }),
  ),
  DBSC_COOKIE_TTL: positiveDuration('minutes=10'),
  LOGIN_THROTTLE: withDefault(
    '',
    z.string().transform((value, ctx) => {
      try {
        return parseLoginThrottle(value);
      } catch (error) {
        return fail(ctx, (error as Error).message);
      }
    }),
  ),
  LOG_LEVEL: withDefault(
    'info',
    z.enum(
      ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'],
      'must be one of trace, debug, info, warn, error, fatal, silent',
    ),
  ),
  // Unset: readable lines when stdout is a terminal, JSON otherwise (decided where logs are set up).
  LOG_FORMAT: optional(z.enum(['json', 'pretty'], 'must be json or pretty')),
  SHUTDOWN_TIMEOUT: positiveDuration('seconds=10'),
  // Passwords and tokens are taken as they are: spaces may be part of them.
  BOOTSTRAP_PASSWORD: z.string().optional(),
  BOOTSTRAP_EMAIL: optional(z.string()),
  BOOTSTRAP_TOKEN: z.string().optional(),
});

/** The checked environment, with defaults applied and values converted. */
export type Env = z.output<typeof envSchema>;

// Values that may hold a password or token are never repeated in an error message.
const SECRET = new Set(['DATABASE_URL', 'BOOTSTRAP_PASSWORD', 'BOOTSTRAP_TOKEN']);

/** One line per wrong variable: `NAME: problem (got "value")`. */
export function describeIssues(error: z.ZodError, env: Record<string, string | undefined>): string[] {
  return error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '');
    const value = env[name];
    const shown = value === undefined || SECRET.has(name) ? '' : ` (got "${value}")`;
    return `${name}: ${issue.message}${shown}`;
  });
}

function blankToUndefined(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function optional<T extends z.ZodType<unknown, string>>(schema: T) {
  return z.preprocess(blankToUndefined, schema.optional());
}

function withDefault<T extends z.ZodType<unknown, string>>(fallback: string, schema: T) {
  return z.preprocess((value) => blankToUndefined(value) ?? fallback, schema);
}

function text(fallback: string) {
  return withDefault(fallback, z.string());
}

function port(fallback: number) {
  return withDefault(
    String(fallback),
    z.string().transform((value, ctx) => toPort(value, ctx)),
  );
}

function toPort(value: string, ctx: z.RefinementCtx, alternative?: string): number {
  const number = /^\d+$/.test(value) ? Number(value) : NaN;
  if (Number.isInteger(number) && number >= 0 && number <= 65535) return number;
  return fail(ctx, `must be a port number (0-65535)${alternative ? ` or ${alternative}` : ''}`);
}

function positiveDuration(fallback: string) {
  return withDefault(
    fallback,
    z.string().transform((value, ctx) => {
      try {
        const ms = parseDuration(value);
        return ms > 0 ? ms : fail(ctx, `must be a positive duration such as "${fallback}"`);
      } catch (error) {
        if (error instanceof DurationFormatError) return fail(ctx, error.message);
        throw error;
      }
    }),
  );
}

function isPostgresUrl(value: string): boolean {
  try {
    return ['postgres:', 'postgresql:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

function fail(ctx: z.RefinementCtx, message: string): never {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
}
