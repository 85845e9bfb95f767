/**
 * The duration syntax of authentik's stages (`hours=1;minutes=2`), parsed to milliseconds.
 *
 * Decisions where authentik's `timedelta_from_string` leaves room:
 * - Empty pieces (`hours=1,`, `;hours=1`, `hours=1,,minutes=2`) are rejected, as authentik does
 *   (it fails to unpack the empty piece).
 * - Values are plain decimals with an optional sign: `1`, `-1`, `+1`, `0.5`, `.5`, `5.`. Exponents
 *   (`1e3`), hex, underscores, `Infinity` and `NaN` are rejected, so what an operator reads is the
 *   number that is used.
 * - A key given twice adds up (`hours=1;hours=2` is three hours): "the result is the sum".
 * - 100 years is 100 Julian years (36,525 days); exactly that much is accepted, either sign.
 * - Results are float milliseconds, so `microseconds=1` is `0.001`; `-0` comes back as `0`.
 */

/** The accepted keys, in ascending order of size; matched case-insensitively. */
export const DURATION_KEYS = ['microseconds', 'milliseconds', 'seconds', 'minutes', 'hours', 'days', 'weeks'] as const;

/** One of {@link DURATION_KEYS}. */
export type DurationKey = (typeof DURATION_KEYS)[number];

/** A duration expression such as `hours=1;minutes=2` (shape only; {@link parseDuration} checks it). */
export type DurationString = `${string}=${string}`;

const MS_PER_UNIT: Readonly<Record<DurationKey, number>> = {
  microseconds: 0.001,
  milliseconds: 1,
  seconds: 1_000,
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
  weeks: 604_800_000,
};

/** The largest accepted magnitude: 100 Julian years (36,525 days) in milliseconds. */
export const MAX_DURATION_MS = 36_525 * MS_PER_UNIT.days;

/** The fixed start of every {@link DurationFormatError} message, after the offending value. */
export const DURATION_FORMAT_HINT = "is not in the correct format of 'hours=3;minutes=1'.";

/** What made a duration invalid, for callers that branch on it rather than on the message. */
export type DurationErrorReason =
  'empty' | 'empty_piece' | 'piece' | 'unknown_key' | 'not_a_number' | 'out_of_range' | 'negative';

// Sign, then digits with an optional fraction, or a bare fraction. No exponent, no hex.
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/**
 * A duration string that cannot be used; the message starts with `<value> is not in the correct
 * format of 'hours=3;minutes=1'.` and then says what is wrong.
 */
export class DurationFormatError extends TypeError {
  override readonly name = 'DurationFormatError';

  constructor(
    /** The rejected input, exactly as given. */
    readonly value: string,
    /** Machine-readable cause. */
    readonly reason: DurationErrorReason,
    detail: string,
  ) {
    super(`${value} ${DURATION_FORMAT_HINT} ${detail}`);
  }
}

/**
 * Parses `key=value` pairs separated by `,` or `;` into their summed length in milliseconds.
 * @example parseDuration('hours=1, minutes=30') // 5_400_000
 * @example parseDuration('weeks=1;days=-1') // 518_400_000
 * @throws DurationFormatError when the input is empty, malformed, uses an unknown key, has a value
 * that is not a finite decimal, or adds up to more than 100 years either way.
 */
export function parseDuration(value: string): number {
  if (value.trim() === '') {
    throw new DurationFormatError(value, 'empty', "It is empty; give at least one pair such as 'seconds=0'.");
  }
  let total = 0;
  for (const rawPiece of value.split(/[,;]/)) {
    total += parsePiece(value, rawPiece.trim());
  }
  if (Math.abs(total) > MAX_DURATION_MS) {
    throw new DurationFormatError(value, 'out_of_range', 'The total is more than 100 years (36525 days) either way.');
  }
  // Normalises -0 (e.g. `seconds=-0`) so callers comparing with 0 or serialising see plain 0.
  return total + 0;
}

function parsePiece(value: string, piece: string): number {
  if (piece === '') {
    throw new DurationFormatError(
      value,
      'empty_piece',
      "It has an empty piece; remove the leading, trailing or doubled ',' or ';'.",
    );
  }
  const parts = piece.split('=');
  if (parts.length !== 2) {
    throw new DurationFormatError(value, 'piece', `The piece '${piece}' must contain exactly one '='.`);
  }
  const key = parts[0]!.trim().toLowerCase();
  const amount = parts[1]!.trim();
  if (!isDurationKey(key)) {
    throw new DurationFormatError(
      value,
      'unknown_key',
      `The key '${parts[0]!.trim()}' is unknown; allowed keys are ${DURATION_KEYS.join(', ')}.`,
    );
  }
  // A long enough digit string overflows to Infinity even though it matches the grammar.
  const number = DECIMAL.test(amount) ? Number(amount) : Number.NaN;
  if (!Number.isFinite(number)) {
    throw new DurationFormatError(
      value,
      'not_a_number',
      `The value '${amount}' of '${key}' is not a finite decimal number (no exponents, hex, Infinity or NaN).`,
    );
  }
  const ms = number * MS_PER_UNIT[key];
  // Checked per piece too: cancelling huge pieces would otherwise lose the small ones to rounding.
  if (Math.abs(ms) > MAX_DURATION_MS) {
    throw new DurationFormatError(
      value,
      'out_of_range',
      `The piece '${piece}' alone is more than 100 years (36525 days) either way.`,
    );
  }
  return ms;
}

function isDurationKey(key: string): key is DurationKey {
  return (DURATION_KEYS as readonly string[]).includes(key);
}

/**
 * Parses a stage's `session_duration`, which must not be negative.
 * @example validateSessionDuration('seconds=0') // 0, a browser session
 * @throws DurationFormatError for any {@link parseDuration} failure or a negative total.
 */
export function validateSessionDuration(value: string): number {
  const ms = parseDuration(value);
  if (ms < 0) {
    throw new DurationFormatError(value, 'negative', 'session_duration must not be negative.');
  }
  return ms;
}

/**
 * Parses a stage's `remember_me_offset`; negative values are allowed and mean "no prompt".
 * @example validateRememberMeOffset('days=-1') // -86_400_000
 * @throws DurationFormatError for any {@link parseDuration} failure.
 */
export function validateRememberMeOffset(value: string): number {
  return parseDuration(value);
}

/**
 * Parses a `session_idle_timeout`; `0` turns the idle timeout off.
 * @example validateIdleTimeout('minutes=30') // 1_800_000
 * @throws DurationFormatError for any {@link parseDuration} failure or a negative total.
 */
export function validateIdleTimeout(value: string): number {
  const ms = parseDuration(value);
  if (ms < 0) {
    throw new DurationFormatError(value, 'negative', 'session_idle_timeout must not be negative.');
  }
  return ms;
}
