/**
 * What makes a username, e-mail address or password acceptable, shared by the admin API and the
 * enrollment flow so both say the same thing in the same words. Pure functions: no Nest, no TypeORM.
 */

/** One reason a value was refused: a message for people and a stable code for clients. */
export interface FieldProblem {
  message: string;
  code: string;
}

const USERNAME = /^[\w.@+-]{1,150}$/;
const EMAIL = /^[^@\s]+@[^@\s]+$/;

/** Longest accepted password; argon2 would take longer inputs, but nobody types them. */
export const MAX_PASSWORD_LENGTH = 1024;
/** Shortest accepted password. */
export const MIN_PASSWORD_LENGTH = 8;

/**
 * Why `username` cannot be a username (up to 150 letters, digits and `@.+-_`), or null.
 * @example usernameProblem('alice smith') // { code: 'invalid', ... }
 */
export function usernameProblem(username: string): FieldProblem | null {
  if (USERNAME.test(username)) return null;
  return { message: 'Enter a valid username of up to 150 letters, digits and @/./+/-/_ characters.', code: 'invalid' };
}

/**
 * Why `email` is not an e-mail address, or null. Deliberately loose (one `@`, no spaces): the
 * only real test of an address is mail reaching it.
 * @example emailProblem('alice@example.com') // null
 */
export function emailProblem(email: string): FieldProblem | null {
  if (email.length <= 254 && EMAIL.test(email)) return null;
  return { message: 'Enter a valid email address.', code: 'invalid' };
}

/**
 * Why `password` is too weak: shorter than 8 characters, longer than 1024, or only digits; null
 * when it is acceptable. An empty password is the caller's "required" case and is reported as
 * too short here.
 * @example passwordStrengthProblem('12345678') // { code: 'password_entirely_numeric', ... }
 */
export function passwordStrengthProblem(password: string): FieldProblem | null {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return {
      message: `Ensure this password has at least ${MIN_PASSWORD_LENGTH} characters.`,
      code: 'password_too_short',
    };
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    return {
      message: `Ensure this password has no more than ${MAX_PASSWORD_LENGTH} characters.`,
      code: 'password_too_long',
    };
  }
  if (/^\d+$/.test(password))
    return { message: 'This password is entirely numeric.', code: 'password_entirely_numeric' };
  return null;
}
