import { describe, expect, it } from 'vitest';
import { emailProblem, passwordStrengthProblem, usernameProblem } from './user-rules.js';

describe('passwordStrengthProblem', () => {
  it.each([
    ['short1', 'password_too_short'],
    ['', 'password_too_short'],
    ['12345678', 'password_entirely_numeric'],
    ['x'.repeat(1025), 'password_too_long'],
  ])('refuses %j with %s', (password, code) => {
    expect(passwordStrengthProblem(password)?.code).toBe(code);
  });

  it.each(['correct-horse', '1234567a', 'x'.repeat(1024)])('accepts %j', (password) => {
    expect(passwordStrengthProblem(password)).toBeNull();
  });

  it('says how long a password must be', () => {
    expect(passwordStrengthProblem('abc')?.message).toBe('Ensure this password has at least 8 characters.');
  });
});

describe('usernameProblem', () => {
  it.each(['alice', 'a.b+c-d_e@f', 'x'.repeat(150)])('accepts %j', (username) => {
    expect(usernameProblem(username)).toBeNull();
  });

  it.each(['', 'alice smith', 'x'.repeat(151), 'bad/name', 'tab\tname'])('refuses %j', (username) => {
    expect(usernameProblem(username)?.code).toBe('invalid');
  });
});

describe('emailProblem', () => {
  it.each(['alice@example.com', 'a+b@localhost'])('accepts %j', (email) => {
    expect(emailProblem(email)).toBeNull();
  });

  it.each(['', 'alice', 'alice@', '@example.com', 'a b@example.com', 'a@b@c', `${'x'.repeat(250)}@e.co`])(
    'refuses %j',
    (email) => {
      expect(emailProblem(email)?.code).toBe('invalid');
    },
  );
});
