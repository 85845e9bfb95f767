import { BadRequestException } from '@nestjs/common';
import { emailProblem, passwordStrengthProblem, usernameProblem, type User } from '@idp/core';

/** Checks a password's minimum strength; the message says what is missing. */
export function passwordProblem(password: unknown): string | null {
  if (typeof password !== 'string' || password.length === 0) return 'This field is required.';
  return passwordStrengthProblem(password)?.message ?? null;
}

export function validatePassword(password: unknown): string {
  const problem = passwordProblem(password);
  if (problem) throw new BadRequestException({ password: [problem] });
  return password as string;
}

/** Maps a user create/update body to entity fields, or a 400 with `{field: [message]}`. */
export function validateUserInput(body: unknown, partial: boolean): Partial<User> & { password?: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequestException({ non_field_errors: ['Expected a JSON object.'] });
  }
  const input = body as Record<string, unknown>;
  const errors: Record<string, string[]> = {};
  const out: Partial<User> & { password?: string } = {};
  if ('username' in input || !partial) {
    // A non-string reads as empty, which the username rule refuses with the same message.
    const problem = usernameProblem(typeof input.username === 'string' ? input.username : '');
    if (problem) errors.username = [problem.message];
    else out.username = input.username as string;
  }
  for (const [key, field] of [
    ['name', 'name'],
    ['email', 'email'],
  ] as const) {
    if (key in input) {
      if (typeof input[key] !== 'string' || (input[key] as string).length > 254) errors[key] = ['Not a valid string.'];
      else out[field] = input[key] as string;
    }
  }
  if (typeof out.email === 'string' && out.email !== '' && emailProblem(out.email))
    errors.email = ['Enter a valid email address.'];
  for (const [key, field] of [
    ['is_active', 'isActive'],
    ['is_superuser', 'isSuperuser'],
  ] as const) {
    if (key in input) {
      if (typeof input[key] !== 'boolean') errors[key] = ['Must be a valid boolean.'];
      else out[field] = input[key] as boolean;
    }
  }
  if ('password' in input) {
    const problem = passwordProblem(input.password);
    if (problem) errors.password = [problem];
    else out.password = input.password as string;
  }
  if (Object.keys(errors).length > 0) throw new BadRequestException(errors);
  return out;
}
