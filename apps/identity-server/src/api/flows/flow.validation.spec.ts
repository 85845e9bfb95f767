import { describe, expect, it } from 'vitest';
import { isFlowSlug, validateBindingInput, validateFlowInput } from './flow.validation.js';

const FLOW = { slug: 'my-flow_2', name: 'My flow', designation: 'authentication' };
const UUID_A = '11111111-1111-4111-8111-111111111111';
const UUID_B = '22222222-2222-4222-8222-222222222222';

describe('validateFlowInput', () => {
  it('maps a full body, trimming text and ignoring the read-only pk', () => {
    expect(validateFlowInput({ ...FLOW, name: ' My flow ', title: 'Hi', pk: 'x' }, false)).toEqual({
      ok: true,
      value: { slug: 'my-flow_2', name: 'My flow', title: 'Hi', designation: 'authentication' },
    });
  });

  it('takes a partial update with only what was sent', () => {
    expect(validateFlowInput({ title: '' }, true)).toEqual({ ok: true, value: { title: '' } });
  });

  it.each([
    [{ ...FLOW, slug: 'has space' }, 'slug', 'Enter a valid slug: letters, digits, underscores or hyphens only.'],
    [{ ...FLOW, slug: 'ünïcode' }, 'slug', 'Enter a valid slug: letters, digits, underscores or hyphens only.'],
    [{ ...FLOW, slug: 'x'.repeat(51) }, 'slug', 'Ensure this field has no more than 50 characters.'],
    [{ ...FLOW, slug: '' }, 'slug', 'This field may not be blank.'],
    [
      { ...FLOW, designation: 'login' },
      'designation',
      '"login" is not a valid choice. Choose one of: authentication, enrollment, invalidation.',
    ],
    [{ ...FLOW, name: undefined }, 'name', 'This field is required.'],
    [{ ...FLOW, title: 5 }, 'title', 'Not a valid string.'],
    [{ ...FLOW, color: 'red' }, 'color', 'Unknown field.'],
  ])('refuses %j on %s', (body, field, message) => {
    const clean = JSON.parse(JSON.stringify(body));
    expect(validateFlowInput(clean, false)).toEqual({ ok: false, errors: { [field]: [message] } });
  });
});

describe('isFlowSlug', () => {
  it.each([
    ['default-authentication-flow', true],
    ['a_b-C9', true],
    ['bad slug', false],
    ['', false],
    ['x'.repeat(51), false],
  ])('%s -> %s', (slug, expected) => {
    expect(isFlowSlug(slug)).toBe(expected);
  });
});

describe('validateBindingInput', () => {
  it('maps target/stage/order to entity fields and ignores stage_obj', () => {
    expect(validateBindingInput({ target: UUID_A, stage: UUID_B, order: 10, stage_obj: {} }, false)).toEqual({
      ok: true,
      value: { flowUuid: UUID_A, stageUuid: UUID_B, order: 10 },
    });
  });

  it('reports every missing field of a full body at once', () => {
    expect(validateBindingInput({}, false)).toEqual({
      ok: false,
      errors: {
        target: ['This field is required.'],
        stage: ['This field is required.'],
        order: ['This field is required.'],
      },
    });
  });

  it.each([
    [{ order: 'ten' }, 'order', 'A valid integer is required.'],
    [{ order: 2 ** 31 }, 'order', 'Ensure this value is less than or equal to 2147483647.'],
    [{ target: 'flow' }, 'target', 'Must be a valid UUID.'],
    [{ stage: null }, 'stage', 'Must be a valid UUID.'],
  ])('refuses %j', (body, field, message) => {
    expect(validateBindingInput(body, true)).toEqual({ ok: false, errors: { [field]: [message] } });
  });
});
