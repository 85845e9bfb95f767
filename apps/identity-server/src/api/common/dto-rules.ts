import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { Allow, isUUID, ValidateBy, type ValidationArguments, type ValidationOptions } from 'class-validator';
import { REQUIRED } from './field-errors.js';

// The database columns are 32-bit integers; anything larger must be refused before it gets there.
export const INT_MIN = -2_147_483_648;
export const INT_MAX = 2_147_483_647;

/** A check that names what is wrong with a value, or returns null when it is fine. */
export type Problem = (value: unknown, args: ValidationArguments) => string | null;

/**
 * A class-validator constraint from a function that names the problem, so each field keeps the
 * API's exact messages. Absent values pass: `@Required()` says whether a field must be sent, and
 * `PartialType` (PATCH) skips absent fields before any rule runs.
 */
export function rule(name: string, problem: Problem, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name,
      validator: {
        validate: (value, args) => value === undefined || problem(value, args!) === null,
        defaultMessage: (args) => problem(args!.value, args!) ?? '',
      },
    },
    options,
  );
}

/** The field must be sent (create and PUT); `null` is a value, checked by the field's own rule. */
export const Required = (message = REQUIRED): PropertyDecorator =>
  ValidateBy({
    name: 'required',
    validator: { validate: (value) => value !== undefined, defaultMessage: () => message },
  });

/** Whether `value` is a UUID in its usual hyphenated form. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && isUUID(value, 'all');
}

/** A string, trimmed, of at most `max` characters; blank only when `blank` allows it. */
export function IsText(options: { max?: number; blank?: boolean } = {}): PropertyDecorator {
  const max = options.max ?? 200;
  return applyDecorators(
    Transform(({ value }) => (typeof value === 'string' ? value.trim() : value)),
    rule('text', (value) => {
      if (typeof value !== 'string') return 'Not a valid string.';
      if (value === '' && !options.blank) return 'This field may not be blank.';
      if (value.length > max) return `Ensure this field has no more than ${max} characters.`;
      return null;
    }),
  );
}

export const IsBool = (): PropertyDecorator =>
  rule('bool', (value) => (typeof value === 'boolean' ? null : 'Must be a valid boolean.'));

/** One of `choices`; the message lists them. */
export const IsChoice = (choices: readonly string[]): PropertyDecorator =>
  rule('choice', (value) =>
    typeof value === 'string' && choices.includes(value)
      ? null
      : `"${String(value)}" is not a valid choice. Choose one of: ${choices.join(', ')}.`,
  );

/** A UUID, lowercased. */
export const IsUuidText = (): PropertyDecorator =>
  applyDecorators(
    Transform(({ value }) => (isUuid(value) ? value.toLowerCase() : value)),
    rule('uuid', (value) => (isUuid(value) ? null : 'Must be a valid UUID.')),
  );

/** Whether `value` is a whole number within [min, max], and if not, why. */
export function integerProblem(value: unknown, min: number, max: number): string | null {
  if (typeof value !== 'number' || !Number.isInteger(value)) return 'A valid integer is required.';
  if (value < min) return `Ensure this value is greater than or equal to ${min}.`;
  if (value > max) return `Ensure this value is less than or equal to ${max}.`;
  return null;
}

/** A whole number within [min, max] (by default anything a 32-bit column holds). */
export const IsBoundedInt = (min = INT_MIN, max = INT_MAX): PropertyDecorator =>
  rule('int', (value) => integerProblem(value, min, max));

/** A query parameter as one trimmed string; blank or repeated (an array) reads as absent. */
export const QueryText = (): PropertyDecorator =>
  applyDecorators(
    Transform(({ value }) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined)),
    // Without a rule of its own the parameter would be stripped as unknown.
    Allow(),
  );

/** Drops the keys whose value is undefined, so a partial update only writes what was sent. */
export function definedOnly<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}

const FLAGS: Record<string, boolean> = { true: true, '1': true, false: false, '0': false };

/** A boolean query flag: `true`/`false`/`1`/`0`; absent is absent; anything else is a 400. */
export const QueryFlag = (): PropertyDecorator =>
  applyDecorators(
    Transform(({ value }) => (typeof value === 'string' ? (FLAGS[value] ?? value) : null)),
    rule('flag', (value) => (typeof value === 'boolean' ? null : 'Must be a valid boolean: true or false.')),
  );
