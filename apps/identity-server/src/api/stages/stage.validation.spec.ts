import type { ObjectLiteral } from 'typeorm';
import { describe, expect, it } from 'vitest';
import {
  IDENTIFICATION_KIND,
  PASSWORD_KIND,
  PROMPT_KIND,
  USER_LOGOUT_KIND,
  USER_WRITE_KIND,
  type StageKind,
} from './stage-kinds.js';
import { checkPromptFields, checkUserFields, validateStageInput } from './stage.validation.js';

/** Runs a checker and returns what it kept and what it reported. */
function run<T>(check: (value: unknown, fail: (message: string) => undefined) => T | undefined, value: unknown) {
  const problems: string[] = [];
  const result = check(value, (message) => {
    problems.push(message);
    return undefined;
  });
  return { result, problems };
}

const field = (overrides: Record<string, unknown> = {}) => ({
  field_key: 'nick',
  label: 'Nickname',
  type: 'text',
  ...overrides,
});

describe('checkUserFields', () => {
  it.each([[['username']], [['email', 'username']]])('keeps %j', (value) => {
    expect(run(checkUserFields, value)).toEqual({ result: value, problems: [] });
  });

  it.each([
    [[], 'Choose at least one of: username, email.'],
    [['phone'], '"phone" is not a valid choice. Choose from: username, email.'],
    [['email', 'email'], 'Each user field may be listed only once.'],
    ['username', 'Expected a list of: username, email.'],
  ])('refuses %j', (value, message) => {
    expect(run(checkUserFields, value)).toEqual({ result: undefined, problems: [message] });
  });
});

describe('checkPromptFields', () => {
  it('fills in required=false and the position as order, and keeps a placeholder', () => {
    const { result } = run(checkPromptFields, [
      field({ placeholder: 'Nick' }),
      field({ field_key: 'agree', type: 'checkbox', required: true, order: 9 }),
    ]);
    expect(result).toEqual([
      { field_key: 'nick', label: 'Nickname', type: 'text', required: false, placeholder: 'Nick', order: 0 },
      { field_key: 'agree', label: 'Nickname', type: 'checkbox', required: true, order: 9 },
    ]);
  });

  it('accepts an empty list', () => {
    expect(run(checkPromptFields, [])).toEqual({ result: [], problems: [] });
  });

  it.each([
    ['not a list', { field_key: 'a' }, ['Expected a list of prompt fields.']],
    ['an item that is not an object', ['x'], ['fields[0]: Expected an object.']],
    [
      'a key with a space',
      [field({ field_key: 'has space' })],
      [
        'fields[0].field_key: Enter an identifier: a letter or underscore, then letters, digits or underscores (at most 100).',
      ],
    ],
    [
      'a key starting with a digit',
      [field({ field_key: '1a' })],
      [
        'fields[0].field_key: Enter an identifier: a letter or underscore, then letters, digits or underscores (at most 100).',
      ],
    ],
    [
      'an unknown type',
      [field({ type: 'date' })],
      ['fields[0].type: "date" is not a valid choice. Choose one of: text, username, email, password, checkbox.'],
    ],
    ['a blank label', [field({ label: ' ' })], ['fields[0].label: Enter a label of 1 to 200 characters.']],
    ['required as a string', [field({ required: 'yes' })], ['fields[0].required: Must be a valid boolean.']],
    ['a fractional order', [field({ order: 0.5 })], ['fields[0].order: A valid integer is required.']],
    [
      'a numeric placeholder',
      [field({ placeholder: 5 })],
      ['fields[0].placeholder: Enter a string of at most 200 characters.'],
    ],
    ['an unknown key', [field({ hint: 'x' })], ['fields[0].hint: Unknown field.']],
    [
      'a repeated key',
      [field(), field({ type: 'email' })],
      ['fields[1].field_key: "nick" is used by another field of this stage.'],
    ],
    [
      'too many fields',
      Array.from({ length: 51 }, (_, i) => field({ field_key: `f${i}` })),
      ['Ensure this list has no more than 50 fields.'],
    ],
  ])('refuses %s', (_label, value, problems) => {
    expect(run(checkPromptFields, value)).toEqual({ result: undefined, problems });
  });

  it('reports the problems of every item', () => {
    expect(run(checkPromptFields, [field({ type: 'x' }), field({ field_key: '', label: '' })]).problems).toHaveLength(
      3,
    );
  });
});

describe('validateStageInput', () => {
  const maps: Array<[StageKind<ObjectLiteral>, object, object]> = [
    [
      IDENTIFICATION_KIND,
      { name: ' id ', user_fields: ['email'], enrollment_flow_slug: null },
      { name: 'id', fields: { userFields: ['email'], enrollmentFlowSlug: null } },
    ],
    [
      IDENTIFICATION_KIND,
      { name: 'id', enrollment_flow_slug: '' },
      { name: 'id', fields: { enrollmentFlowSlug: null } },
    ],
    [
      PASSWORD_KIND,
      { name: 'pw', failed_attempts_before_cancel: 100 },
      { name: 'pw', fields: { failedAttemptsBeforeCancel: 100 } },
    ],
    [
      USER_WRITE_KIND,
      { name: 'uw', create_users_as_inactive: true },
      { name: 'uw', fields: { createUsersAsInactive: true } },
    ],
    [USER_LOGOUT_KIND, { name: 'bye', pk: 'ignored', component: 'ignored' }, { name: 'bye', fields: {} }],
    [PROMPT_KIND, { name: 'p' }, { name: 'p', fields: {} }],
  ];
  it.each(maps.map(([kind, body, value]) => [kind.type, kind, body, value] as const))(
    'maps a %s body',
    (_type, kind, body, value) => {
      expect(validateStageInput(kind, body, false)).toEqual({ ok: true, value });
    },
  );

  const refusals: Array<[StageKind<ObjectLiteral>, object, object]> = [
    [
      PASSWORD_KIND,
      { name: 'pw', failed_attempts_before_cancel: 0 },
      { failed_attempts_before_cancel: ['Ensure this value is greater than or equal to 1.'] },
    ],
    [
      PASSWORD_KIND,
      { name: 'pw', failed_attempts_before_cancel: 101 },
      { failed_attempts_before_cancel: ['Ensure this value is less than or equal to 100.'] },
    ],
    [
      USER_WRITE_KIND,
      { name: 'uw', create_users_as_inactive: 1 },
      { create_users_as_inactive: ['Must be a valid boolean.'] },
    ],
    [
      IDENTIFICATION_KIND,
      { name: 'id', enrollment_flow_slug: 'not a slug' },
      { enrollment_flow_slug: ['Enter the slug of a flow, or null.'] },
    ],
    [USER_LOGOUT_KIND, { name: 'bye', user_fields: ['email'] }, { user_fields: ['Unknown field.'] }],
    [USER_LOGOUT_KIND, {}, { name: ['This field is required.'] }],
    [USER_LOGOUT_KIND, { name: '' }, { name: ['This field may not be blank.'] }],
  ];
  it.each(refusals.map(([kind, body, errors]) => [kind.type, kind, body, errors] as const))(
    'refuses a bad %s body',
    (_type, kind, body, errors) => {
      expect(validateStageInput(kind, body, false)).toEqual({ ok: false, errors });
    },
  );

  it('lets a PATCH leave the name out', () => {
    expect(validateStageInput(PASSWORD_KIND, { failed_attempts_before_cancel: 3 }, true)).toEqual({
      ok: true,
      value: { fields: { failedAttemptsBeforeCancel: 3 } },
    });
  });
});
