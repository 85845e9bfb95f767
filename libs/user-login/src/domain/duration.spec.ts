import { describe, expect, it } from 'vitest';
import {
  DURATION_KEYS,
  DurationFormatError,
  type DurationErrorReason,
  MAX_DURATION_MS,
  parseDuration,
  validateIdleTimeout,
  validateRememberMeOffset,
  validateSessionDuration,
} from './duration.js';

const S = 1_000;
const MIN = 60 * S;
const H = 60 * MIN;
const D = 24 * H;
const W = 7 * D;
const PREFIX = "is not in the correct format of 'hours=3;minutes=1'.";
const KEYS = 'microseconds, milliseconds, seconds, minutes, hours, days, weeks';
const EMPTY = "It is empty; give at least one pair such as 'seconds=0'.";
const EMPTY_PIECE = "It has an empty piece; remove the leading, trailing or doubled ',' or ';'.";
const ONE_EQUALS = (piece: string) => `The piece '${piece}' must contain exactly one '='.`;
const UNKNOWN = (key: string) => `The key '${key}' is unknown; allowed keys are ${KEYS}.`;
const NOT_A_NUMBER = (amount: string, key: string) =>
  `The value '${amount}' of '${key}' is not a finite decimal number (no exponents, hex, Infinity or NaN).`;
const PIECE_RANGE = (piece: string) => `The piece '${piece}' alone is more than 100 years (36525 days) either way.`;
const TOTAL_RANGE = 'The total is more than 100 years (36525 days) either way.';
const HUGE = '1' + '0'.repeat(400);
const BIG = '1' + '0'.repeat(20);
const BAD_AMOUNTS = ['', 'abc', 'Infinity', '-Infinity', 'NaN', '1e999', '1e3', '1E3', '0x10', '1_000', '1 000'];

describe('parseDuration', () => {
  it.each([
    // every key
    ['microseconds=1', 0.001],
    ['milliseconds=1', 1],
    ['seconds=1', S],
    ['minutes=1', MIN],
    ['hours=1', H],
    ['days=1', D],
    ['weeks=1', W],
    ['microseconds=1500', 1.5],
    // zero
    ['seconds=0', 0],
    ['seconds=-0', 0],
    ['hours=0;minutes=0', 0],
    // both separators, mixed
    ['hours=1,minutes=2,seconds=3', H + 2 * MIN + 3 * S],
    ['hours=1;minutes=2;seconds=3', H + 2 * MIN + 3 * S],
    ['hours=1;minutes=2,seconds=3', H + 2 * MIN + 3 * S],
    ['hours=3;minutes=1', 3 * H + MIN],
    // floats
    ['hours=0.5', 0.5 * H],
    ['minutes=1.5', 90 * S],
    ['hours=.5', 0.5 * H],
    ['hours=5.', 5 * H],
    ['days=0.25', 6 * H],
    // signs
    ['weeks=1;days=-1', 6 * D],
    ['hours=-1', -H],
    ['hours=+1', H],
    ['hours=1;hours=-5', -4 * H],
    ['minutes=-0.5', -30 * S],
    // a key given twice adds up
    ['hours=1;hours=2', 3 * H],
    // case-insensitive keys
    ['HOURS=1', H],
    ['Hours=1;Minutes=2', H + 2 * MIN],
    ['wEeKs=1', W],
    // whitespace around keys, values, separators and the whole string
    [' hours = 1 ', H],
    ['hours=1 , minutes=2', H + 2 * MIN],
    ['hours =1;\tminutes= 2', H + 2 * MIN],
    ['\nseconds=3\n', 3 * S],
    // every key at once
    [DURATION_KEYS.map((key) => `${key}=1`).join(';'), 0.001 + 1 + S + MIN + H + D + W],
    // the 100-year limit itself is accepted
    ['days=36525', MAX_DURATION_MS],
    ['days=-36525', -MAX_DURATION_MS],
    ['weeks=5217;days=6', (5217 * 7 + 6) * D],
  ])('%j -> %d ms', (input, expected) => {
    const ms = parseDuration(input);
    expect(ms).toBeCloseTo(expected, 9);
    expect(Object.is(ms, -0)).toBe(false);
  });

  it('accepts exactly 100 Julian years and rejects one microsecond more', () => {
    expect(MAX_DURATION_MS).toBe(36_525 * D);
    expect(() => parseDuration('days=36525;microseconds=1')).toThrow(DurationFormatError);
  });

  it.each<[string, DurationErrorReason, string]>([
    // empty input
    ['', 'empty', EMPTY],
    ['   ', 'empty', EMPTY],
    // empty pieces: trailing, leading, doubled, only separators
    ['hours=1,', 'empty_piece', EMPTY_PIECE],
    ['hours=1;', 'empty_piece', EMPTY_PIECE],
    [';hours=1', 'empty_piece', EMPTY_PIECE],
    ['hours=1,,minutes=2', 'empty_piece', EMPTY_PIECE],
    ['hours=1; ;minutes=2', 'empty_piece', EMPTY_PIECE],
    [';', 'empty_piece', EMPTY_PIECE],
    // not exactly one '='
    ['foo', 'piece', ONE_EQUALS('foo')],
    ['hours', 'piece', ONE_EQUALS('hours')],
    ['hours=1=2', 'piece', ONE_EQUALS('hours=1=2')],
    ['hours=1;minutes 2', 'piece', ONE_EQUALS('minutes 2')],
    ['hours:1', 'piece', ONE_EQUALS('hours:1')],
    // unknown keys, named as written
    ['bar=baz', 'unknown_key', UNKNOWN('bar')],
    ['hour=1', 'unknown_key', UNKNOWN('hour')],
    ['Months=1', 'unknown_key', UNKNOWN('Months')],
    ['=1', 'unknown_key', UNKNOWN('')],
    ['hours=1;h=2', 'unknown_key', UNKNOWN('h')],
    ['hours=1; h =2', 'unknown_key', UNKNOWN('h')],
    // values that are not finite plain decimals
    ...BAD_AMOUNTS.map((amount): [string, DurationErrorReason, string] => [
      `hours=${amount}`,
      'not_a_number',
      NOT_A_NUMBER(amount, 'hours'),
    ]),
    ['hours=.', 'not_a_number', NOT_A_NUMBER('.', 'hours')],
    ['hours=-', 'not_a_number', NOT_A_NUMBER('-', 'hours')],
    ['hours=+', 'not_a_number', NOT_A_NUMBER('+', 'hours')],
    ['hours=--1', 'not_a_number', NOT_A_NUMBER('--1', 'hours')],
    ['hours=1h', 'not_a_number', NOT_A_NUMBER('1h', 'hours')],
    [`seconds=${HUGE}`, 'not_a_number', NOT_A_NUMBER(HUGE, 'seconds')],
    ['HOURS=x', 'not_a_number', NOT_A_NUMBER('x', 'hours')],
    // beyond 100 years, as a total or in one piece
    ['days=36526', 'out_of_range', PIECE_RANGE('days=36526')],
    ['weeks=-5300', 'out_of_range', PIECE_RANGE('weeks=-5300')],
    ['days=36525;seconds=1', 'out_of_range', TOTAL_RANGE],
    ['days=-36000;days=-600', 'out_of_range', TOTAL_RANGE],
    // Cancelling huge pieces would otherwise round the small one away.
    [`weeks=${BIG};weeks=-${BIG};seconds=1`, 'out_of_range', PIECE_RANGE(`weeks=${BIG}`)],
  ])('rejects %j (%s)', (input, reason, detail) => {
    const error = catchError(() => parseDuration(input));
    expect(error).toBeInstanceOf(DurationFormatError);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject({ name: 'DurationFormatError', value: input, reason });
    expect(error.message).toBe(`${input} ${PREFIX} ${detail}`);
  });
});

describe('validateSessionDuration', () => {
  it.each([
    ['seconds=0', 0],
    ['hours=8', 8 * H],
    ['weeks=1;days=-1', 6 * D],
    ['seconds=-0', 0],
  ])('accepts %j -> %d ms', (input, expected) => {
    expect(validateSessionDuration(input)).toBe(expected);
  });

  const NEGATIVE = 'session_duration must not be negative.';

  it.each<[string, DurationErrorReason, string]>([
    ['hours=-1', 'negative', NEGATIVE],
    ['days=1;days=-2', 'negative', NEGATIVE],
    ['microseconds=-1', 'negative', NEGATIVE],
    ['hours=x', 'not_a_number', NOT_A_NUMBER('x', 'hours')],
    ['', 'empty', EMPTY],
  ])('rejects %j (%s)', (input, reason, detail) => {
    const error = catchError(() => validateSessionDuration(input));
    expect(error).toBeInstanceOf(DurationFormatError);
    expect(error).toMatchObject({ reason, message: `${input} ${PREFIX} ${detail}` });
  });
});

describe('validateRememberMeOffset', () => {
  it.each([
    ['seconds=0', 0],
    ['days=30', 30 * D],
    ['hours=-5', -5 * H],
    ['days=-1;hours=1', -23 * H],
  ])('accepts %j -> %d ms', (input, expected) => {
    expect(validateRememberMeOffset(input)).toBe(expected);
  });

  it.each<[string, DurationErrorReason]>([
    ['hours=1,', 'empty_piece'],
    ['years=1', 'unknown_key'],
    ['days=-40000', 'out_of_range'],
  ])('rejects %j (%s)', (input, reason) => {
    expect(catchError(() => validateRememberMeOffset(input))).toMatchObject({ reason });
  });
});

describe('validateIdleTimeout', () => {
  it.each([
    ['seconds=0', 0],
    ['minutes=30', 30 * MIN],
    ['seconds=-0', 0],
    ['hours=1;minutes=-30', 30 * MIN],
  ])('accepts %j -> %d ms', (input, expected) => {
    expect(validateIdleTimeout(input)).toBe(expected);
  });

  const NEGATIVE = 'session_idle_timeout must not be negative.';

  it.each<[string, DurationErrorReason, string]>([
    ['minutes=-1', 'negative', NEGATIVE],
    ['microseconds=-1', 'negative', NEGATIVE],
    ['hours=1;hours=-2', 'negative', NEGATIVE],
    ['minutes=x', 'not_a_number', NOT_A_NUMBER('x', 'minutes')],
    ['', 'empty', EMPTY],
  ])('rejects %j (%s)', (input, reason, detail) => {
    const error = catchError(() => validateIdleTimeout(input));
    expect(error).toBeInstanceOf(DurationFormatError);
    expect(error).toMatchObject({ reason, message: `${input} ${PREFIX} ${detail}` });
  });
});

function catchError(run: () => unknown): DurationFormatError {
  try {
    run();
  } catch (error) {
    return error as DurationFormatError;
  }
  throw new Error('expected a DurationFormatError');
}
