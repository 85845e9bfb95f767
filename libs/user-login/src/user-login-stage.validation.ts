import {
  BINDING_MODES,
  bindingRequiresAsn,
  bindingRequiresCity,
  DurationFormatError,
  GEOIP_BINDINGS,
  isBindingMode,
  isGeoIpBinding,
  isLimitPolicy,
  isMissingRecordPolicy,
  isNetworkBinding,
  LIMIT_POLICIES,
  MAX_SESSIONS_LIMIT,
  MISSING_RECORD_POLICIES,
  NETWORK_BINDINGS,
  parseExemptCidrs,
  validateIdleTimeout,
  validateRememberMeOffset,
  validateSessionDuration,
} from './domain/index.js';
import type { UserLoginStageFields } from './persistence/user-login-stage.repository.js';

/** Field errors in the API's shape: `{field: [message, ...]}`. */
export type FieldErrors = Record<string, string[]>;

/** Which MaxMind databases the server has, for the binding config check. */
export interface GeoIpAvailability {
  hasCity: boolean;
  hasAsn: boolean;
}

export type StageInputResult =
  { ok: true; name?: string; fields: Partial<UserLoginStageFields> } | { ok: false; errors: FieldErrors };

const KNOWN = new Set([
  'pk',
  'name',
  'component',
  'session_duration',
  'remember_me_offset',
  'network_binding',
  'geoip_binding',
  'terminate_other_sessions',
  'binding_mode',
  'on_missing_record',
  'binding_exempt_cidrs',
  'ipv6_prefix',
  'session_idle_timeout',
  'max_sessions',
  'on_limit',
]);

/**
 * Checks a create (`partial: false`) or update body for `/api/v3/stages/user_login/` and maps it
 * to entity fields; a binding the server has no database for is refused with the variable to set.
 */
export function validateUserLoginStageInput(
  body: unknown,
  partial: boolean,
  geoip: GeoIpAvailability,
): StageInputResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, errors: { non_field_errors: ['Expected a JSON object.'] } };
  }
  const input = body as Record<string, unknown>;
  const errors: FieldErrors = {};
  const fields: Partial<UserLoginStageFields> = {};
  const fail = (field: string, message: string): undefined => {
    (errors[field] ??= []).push(message);
    return undefined;
  };

  for (const key of Object.keys(input)) if (!KNOWN.has(key)) fail(key, 'Unknown field.');

  let name: string | undefined;
  if ('name' in input) {
    if (typeof input.name !== 'string' || input.name.trim() === '') fail('name', 'This field may not be blank.');
    else if (input.name.length > 200) fail('name', 'Ensure this field has no more than 200 characters.');
    else name = input.name.trim();
  } else if (!partial) fail('name', 'This field is required.');

  const duration = (
    key: 'session_duration' | 'remember_me_offset' | 'session_idle_timeout',
    check: (v: string) => number,
  ): string | undefined => {
    if (!(key in input)) return undefined;
    const value = input[key];
    if (typeof value !== 'string') return fail(key, 'Not a valid string.');
    try {
      check(value);
      return value.trim();
    } catch (error) {
      if (error instanceof DurationFormatError) return fail(key, error.message);
      throw error;
    }
  };
  const sessionDuration = duration('session_duration', validateSessionDuration);
  if (sessionDuration) fields.sessionDuration = sessionDuration;
  const rememberMeOffset = duration('remember_me_offset', validateRememberMeOffset);
  if (rememberMeOffset) fields.rememberMeOffset = rememberMeOffset;
  const idleTimeout = duration('session_idle_timeout', validateIdleTimeout);
  if (idleTimeout) fields.sessionIdleTimeout = idleTimeout;

  if ('network_binding' in input) {
    const value = input.network_binding;
    if (!isNetworkBinding(value))
      fail(
        'network_binding',
        `"${String(value)}" is not a valid choice. Choose one of: ${NETWORK_BINDINGS.join(', ')}.`,
      );
    else if (bindingRequiresAsn(value) && !geoip.hasAsn) {
      fail(
        'network_binding',
        'Network binding needs an ASN database: set GEOIP_ASN_DB to a MaxMind ASN .mmdb file and restart the server.',
      );
    } else fields.networkBinding = value;
  }
  if ('geoip_binding' in input) {
    const value = input.geoip_binding;
    if (!isGeoIpBinding(value))
      fail('geoip_binding', `"${String(value)}" is not a valid choice. Choose one of: ${GEOIP_BINDINGS.join(', ')}.`);
    else if (bindingRequiresCity(value) && !geoip.hasCity) {
      fail(
        'geoip_binding',
        'GeoIP binding needs a City database: set GEOIP_CITY_DB to a MaxMind City .mmdb file and restart the server.',
      );
    } else fields.geoipBinding = value;
  }
  if ('terminate_other_sessions' in input) {
    if (typeof input.terminate_other_sessions !== 'boolean')
      fail('terminate_other_sessions', 'Must be a valid boolean.');
    else fields.terminateOtherSessions = input.terminate_other_sessions;
  }
  validatePolicyFields(input, fields, fail);
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, name, fields };
}

// The second-round options (design section 11): binding mode, missing records, exempt networks,
// IPv6 prefix and the session limit.
function validatePolicyFields(
  input: Record<string, unknown>,
  fields: Partial<UserLoginStageFields>,
  fail: (field: string, message: string) => undefined,
): void {
  const choice = <T>(key: string, valid: (v: unknown) => v is T, choices: readonly string[]): T | undefined => {
    if (!(key in input)) return undefined;
    const value = input[key];
    if (valid(value)) return value;
    return fail(key, `"${String(value)}" is not a valid choice. Choose one of: ${choices.join(', ')}.`);
  };
  const integer = (key: string, min: number, max: number): number | undefined => {
    if (!(key in input)) return undefined;
    const value = input[key];
    if (typeof value !== 'number' || !Number.isInteger(value)) return fail(key, 'A valid integer is required.');
    if (value < min) return fail(key, `Ensure this value is greater than or equal to ${min}.`);
    if (value > max) return fail(key, `Ensure this value is less than or equal to ${max}.`);
    return value;
  };

  const mode = choice('binding_mode', isBindingMode, BINDING_MODES);
  if (mode) fields.bindingMode = mode;
  const missing = choice('on_missing_record', isMissingRecordPolicy, MISSING_RECORD_POLICIES);
  if (missing) fields.onMissingRecord = missing;
  const onLimit = choice('on_limit', isLimitPolicy, LIMIT_POLICIES);
  if (onLimit) fields.onLimit = onLimit;
  const prefix = integer('ipv6_prefix', 1, 128);
  if (prefix !== undefined) fields.ipv6Prefix = prefix;
  const maxSessions = integer('max_sessions', 0, MAX_SESSIONS_LIMIT);
  if (maxSessions !== undefined) fields.maxSessions = maxSessions;
  if ('binding_exempt_cidrs' in input) {
    try {
      fields.bindingExemptCidrs = parseExemptCidrs(input.binding_exempt_cidrs);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      fail('binding_exempt_cidrs', error.message);
    }
  }
}
