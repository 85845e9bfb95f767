/** Field errors in the API's shape: `{field: [message, ...]}`. */
export type FieldErrors = Record<string, string[]>;

/** A checked request body: the values to write, or every problem found. */
export type Checked<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

export const REQUIRED = 'This field is required.';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// The database columns are 32-bit integers; anything larger must be refused before it gets there.
const INT_MIN = -2_147_483_648;
const INT_MAX = 2_147_483_647;

/** Whether `value` is a UUID in its usual hyphenated form. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/**
 * Reads the fields of one JSON object and collects what is wrong with them. `partial` (PATCH)
 * makes every field optional; otherwise fields read with `required` must be present.
 */
export class BodyReader {
  readonly errors: FieldErrors = {};

  private constructor(
    readonly input: Record<string, unknown>,
    readonly partial: boolean,
  ) {}

  /** A reader for `body`, or the errors of a body that is not a JSON object. */
  static of(body: unknown, partial: boolean, known: readonly string[]): BodyReader | Checked<never> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return { ok: false, errors: { non_field_errors: ['Expected a JSON object.'] } };
    }
    const reader = new BodyReader(body as Record<string, unknown>, partial);
    for (const key of Object.keys(reader.input)) if (!known.includes(key)) reader.fail(key, 'Unknown field.');
    return reader;
  }

  fail(field: string, message: string): undefined {
    (this.errors[field] ??= []).push(message);
    return undefined;
  }

  /** Whether to read `key`: present, or absent but required (then it is reported missing). */
  private wants(key: string, required: boolean): boolean {
    if (key in this.input) return true;
    if (required && !this.partial) this.fail(key, REQUIRED);
    return false;
  }

  /** A trimmed string of at most `max` characters; blank only when `blank` allows it. */
  text(key: string, options: { required?: boolean; max?: number; blank?: boolean } = {}): string | undefined {
    if (!this.wants(key, options.required ?? false)) return undefined;
    const value = this.input[key];
    if (typeof value !== 'string') return this.fail(key, 'Not a valid string.');
    const text = value.trim();
    if (text === '' && !options.blank) return this.fail(key, 'This field may not be blank.');
    const max = options.max ?? 200;
    if (text.length > max) return this.fail(key, `Ensure this field has no more than ${max} characters.`);
    return text;
  }

  boolean(key: string, required = false): boolean | undefined {
    if (!this.wants(key, required)) return undefined;
    const value = this.input[key];
    return typeof value === 'boolean' ? value : this.fail(key, 'Must be a valid boolean.');
  }

  /** A whole number within [min, max] (by default anything a 32-bit column holds). */
  integer(key: string, options: { required?: boolean; min?: number; max?: number } = {}): number | undefined {
    return this.custom(
      key,
      (value, fail) => checkInteger(value, options.min ?? INT_MIN, options.max ?? INT_MAX, fail),
      options.required,
    );
  }

  choice<T extends string>(key: string, choices: readonly T[], required = false): T | undefined {
    if (!this.wants(key, required)) return undefined;
    const value = this.input[key];
    if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
    return this.fail(key, `"${String(value)}" is not a valid choice. Choose one of: ${choices.join(', ')}.`);
  }

  uuid(key: string, required = false): string | undefined {
    if (!this.wants(key, required)) return undefined;
    const value = this.input[key];
    return isUuid(value) ? value.toLowerCase() : this.fail(key, 'Must be a valid UUID.');
  }

  /** A value checked by `check`, which reports problems through `fail` and returns undefined then. */
  custom<T>(
    key: string,
    check: (value: unknown, fail: (message: string) => undefined) => T | undefined,
    required = false,
  ): T | undefined {
    if (!this.wants(key, required)) return undefined;
    return check(this.input[key], (message) => this.fail(key, message));
  }

  /** The values read, or the errors when anything failed. */
  result<T>(value: T): Checked<T> {
    return Object.keys(this.errors).length > 0 ? { ok: false, errors: this.errors } : { ok: true, value };
  }
}

/** Checks an integer in [min, max]; reports through `fail` and returns undefined when it is not one. */
export function checkInteger(
  value: unknown,
  min: number,
  max: number,
  fail: (message: string) => undefined,
): number | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value)) return fail('A valid integer is required.');
  if (value < min) return fail(`Ensure this value is greater than or equal to ${min}.`);
  if (value > max) return fail(`Ensure this value is less than or equal to ${max}.`);
  return value;
}

/** Drops the keys whose value is undefined, so a partial update only writes what was sent. */
export function defined<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}
