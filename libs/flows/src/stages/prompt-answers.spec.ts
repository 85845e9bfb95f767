import { describe, expect, it } from 'vitest';
import type { PromptField } from '../persistence/stage-settings.entities.js';
import { orderedFields, validatePromptAnswers } from './prompt-answers.js';

const field = (field_key: string, type: PromptField['type'], required = true, order = 0): PromptField => ({
  field_key,
  label: field_key,
  type,
  required,
  order,
});

const ENROLLMENT = [
  field('username', 'username', true, 0),
  field('email', 'email', true, 1),
  field('password', 'password', true, 2),
  field('password_repeat', 'password', true, 3),
];
const GOOD = {
  username: 'alice',
  email: 'alice@example.test',
  password: 'long-enough-1',
  password_repeat: 'long-enough-1',
};

describe('validatePromptAnswers', () => {
  it('hands on the answers without the repeated password and without keys the stage does not ask for', () => {
    const sut = validatePromptAnswers(ENROLLMENT, { ...GOOD, component: 'ak-stage-prompt', is_superuser: true });
    expect(sut).toEqual({
      data: { username: 'alice', email: 'alice@example.test', password: 'long-enough-1' },
      errors: {},
    });
  });

  it('trims text fields but never passwords', () => {
    const sut = validatePromptAnswers(ENROLLMENT, {
      ...GOOD,
      username: '  alice ',
      password: ' spaced pass ',
      password_repeat: ' spaced pass ',
    });
    expect(sut.data).toMatchObject({ username: 'alice', password: ' spaced pass ' });
  });

  it.each([
    ['missing username', { username: undefined }, 'username', 'required'],
    ['null email', { email: null }, 'email', 'required'],
    ['blank username', { username: '  ' }, 'username', 'required'],
    ['username with a slash', { username: 'a/b' }, 'username', 'invalid'],
    ['email without @', { email: 'alice' }, 'email', 'invalid'],
    ['numeric username', { username: 42 }, 'username', 'invalid'],
    ['short password', { password: 'short', password_repeat: 'short' }, 'password', 'password_too_short'],
    ['digits only', { password: '123456789', password_repeat: '123456789' }, 'password', 'password_entirely_numeric'],
    ['mismatch', { password_repeat: 'long-enough-2' }, 'password_repeat', 'password_mismatch'],
    ['missing repeat', { password_repeat: undefined }, 'password_repeat', 'required'],
  ])('%s -> %s: %s', (_label, change, key, code) => {
    const sut = validatePromptAnswers(ENROLLMENT, { ...GOOD, ...change });
    expect(sut.errors[key]?.map((error) => error.code)).toEqual([code]);
    expect(Object.keys(sut.errors)).toEqual([key]);
  });

  it('leaves an optional text field out when it is empty', () => {
    const sut = validatePromptAnswers([field('name', 'text', false)], { name: '' });
    expect(sut).toEqual({ data: {}, errors: {} });
  });

  it('refuses an overlong text field', () => {
    expect(validatePromptAnswers([field('name', 'text')], { name: 'x'.repeat(1025) }).errors.name[0].code).toBe(
      'max_length',
    );
  });

  it.each([
    [true, undefined, {}],
    [true, true, { data: true }],
    [true, false, { error: 'required' }],
    [false, undefined, { data: false }],
    [false, 'yes', { error: 'invalid' }],
  ])('checkbox required=%s answered %j', (required, answer, expected) => {
    const sut = validatePromptAnswers(
      [field('tos', 'checkbox', required)],
      answer === undefined ? {} : { tos: answer },
    );
    if ('error' in expected) expect(sut.errors.tos[0].code).toBe(expected.error);
    else if ('data' in expected) expect(sut).toEqual({ data: { tos: expected.data }, errors: {} });
    else expect(sut.errors.tos[0].code).toBe('required');
  });
});

describe('orderedFields', () => {
  it('sorts by order, then by key, without touching the input', () => {
    const input = [field('b', 'text', true, 2), field('c', 'text', true, 1), field('a', 'text', true, 2)];
    expect(orderedFields(input).map((f) => f.field_key)).toEqual(['c', 'a', 'b']);
    expect(input.map((f) => f.field_key)).toEqual(['b', 'c', 'a']);
  });
});
