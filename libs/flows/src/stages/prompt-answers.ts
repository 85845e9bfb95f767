import { emailProblem, passwordStrengthProblem, usernameProblem, type FieldProblem } from '@idp/core';
import type { PromptField } from '../persistence/stage-settings.entities.js';

/** authentik's field error: a message and a stable code. */
export interface ResponseError {
  string: string;
  code: string;
}

/** The checked answers of a prompt, or what is wrong with them, field by field. */
export interface PromptAnswers {
  data: Record<string, string | boolean>;
  errors: Record<string, ResponseError[]>;
}

// The second copy of a password is only there to be compared; it is never handed on.
const REPEAT_KEY = 'password_repeat';
const MAX_TEXT_LENGTH = 1024;

/** The prompt's fields in the order they are shown. */
export function orderedFields(fields: readonly PromptField[]): PromptField[] {
  return fields.toSorted((a, b) => a.order - b.order || a.field_key.localeCompare(b.field_key));
}

/**
 * Checks a prompt response against the stage's fields: presence of required fields, the type of
 * each value (username and e-mail format, password strength, booleans for checkboxes) and that
 * `password_repeat` equals `password`. Keys the stage does not ask for are ignored. Username
 * uniqueness needs the database and is the caller's to check.
 * @example validatePromptAnswers(fields, { username: 'alice', ... }).errors // {}
 */
export function validatePromptAnswers(fields: readonly PromptField[], body: Record<string, unknown>): PromptAnswers {
  const data: Record<string, string | boolean> = {};
  const errors: Record<string, ResponseError[]> = {};
  for (const field of orderedFields(fields)) {
    const result = checkField(field, body[field.field_key]);
    if ('problem' in result) errors[field.field_key] = [{ string: result.problem.message, code: result.problem.code }];
    else if (result.value !== undefined && field.field_key !== REPEAT_KEY) data[field.field_key] = result.value;
  }
  const keys = new Set(fields.map((field) => field.field_key));
  if (keys.has('password') && keys.has(REPEAT_KEY) && !errors[REPEAT_KEY]) {
    const password = body.password;
    const repeat = body[REPEAT_KEY];
    if (typeof password === 'string' && typeof repeat === 'string' && password !== repeat) {
      errors[REPEAT_KEY] = [{ string: "Passwords don't match.", code: 'password_mismatch' }];
    }
  }
  return { data, errors };
}

type FieldResult = { value: string | boolean | undefined } | { problem: FieldProblem };

function checkField(field: PromptField, raw: unknown): FieldResult {
  if (field.type === 'checkbox') return checkCheckbox(field, raw);
  if (raw === undefined || raw === null || raw === '') return missing(field);
  if (typeof raw !== 'string') return { problem: { message: 'Not a valid string.', code: 'invalid' } };
  // Passwords are taken exactly as typed; surrounding spaces elsewhere are typing noise.
  const value = field.type === 'password' ? raw : raw.trim();
  if (value === '') return missing(field);
  if (field.type !== 'password' && value.length > MAX_TEXT_LENGTH) {
    return {
      problem: { message: `Ensure this field has no more than ${MAX_TEXT_LENGTH} characters.`, code: 'max_length' },
    };
  }
  const problem = typeProblem(field, value);
  return problem ? { problem } : { value };
}

function typeProblem(field: PromptField, value: string): FieldProblem | null {
  switch (field.type) {
    case 'username':
      return usernameProblem(value);
    case 'email':
      return emailProblem(value);
    case 'password':
      return field.field_key === REPEAT_KEY ? null : passwordStrengthProblem(value);
    default:
      return null;
  }
}

function checkCheckbox(field: PromptField, raw: unknown): FieldResult {
  if (raw === undefined || raw === null) return field.required ? missing(field) : { value: false };
  if (typeof raw !== 'boolean') return { problem: { message: 'Must be a valid boolean.', code: 'invalid' } };
  // A required checkbox is a consent: unticked counts as not answered.
  if (field.required && !raw) return missing(field);
  return { value: raw };
}

function missing(field: PromptField): FieldResult {
  return field.required ? { problem: { message: 'This field is required.', code: 'required' } } : { value: undefined };
}
