import { describe, expect, it } from 'vitest';
import { BodyReader, defined, isUuid, REQUIRED, type Checked } from './field-rules.js';

const read = (body: unknown, partial = false, known = ['a', 'b']) => {
  const reader = BodyReader.of(body, partial, known);
  if (!(reader instanceof BodyReader)) throw new Error(JSON.stringify(reader));
  return reader;
};

describe('BodyReader.of', () => {
  it.each([[null], [[1, 2]], ['text'], [42]])('refuses %j as not an object', (body) => {
    expect(BodyReader.of(body, false, [])).toEqual({
      ok: false,
      errors: { non_field_errors: ['Expected a JSON object.'] },
    });
  });

  it('reports unknown keys by name', () => {
    expect(read({ a: 1, color: 'red' }).errors).toEqual({ color: ['Unknown field.'] });
  });
});

describe('BodyReader readers', () => {
  it.each([
    ['text', { a: '  hi  ' }, (r: BodyReader) => r.text('a'), 'hi', undefined],
    ['blank text', { a: '   ' }, (r: BodyReader) => r.text('a'), undefined, 'This field may not be blank.'],
    ['blank allowed', { a: '' }, (r: BodyReader) => r.text('a', { blank: true }), '', undefined],
    [
      'long text',
      { a: 'x'.repeat(201) },
      (r: BodyReader) => r.text('a'),
      undefined,
      'Ensure this field has no more than 200 characters.',
    ],
    ['text not a string', { a: 3 }, (r: BodyReader) => r.text('a'), undefined, 'Not a valid string.'],
    ['missing required', {}, (r: BodyReader) => r.text('a', { required: true }), undefined, REQUIRED],
    ['missing optional', {}, (r: BodyReader) => r.text('a'), undefined, undefined],
    ['boolean', { a: false }, (r: BodyReader) => r.boolean('a'), false, undefined],
    ['boolean as string', { a: 'true' }, (r: BodyReader) => r.boolean('a'), undefined, 'Must be a valid boolean.'],
    ['integer', { a: 7 }, (r: BodyReader) => r.integer('a', { min: 1, max: 10 }), 7, undefined],
    [
      'integer too small',
      { a: 0 },
      (r: BodyReader) => r.integer('a', { min: 1 }),
      undefined,
      'Ensure this value is greater than or equal to 1.',
    ],
    [
      'integer too large',
      { a: 11 },
      (r: BodyReader) => r.integer('a', { max: 10 }),
      undefined,
      'Ensure this value is less than or equal to 10.',
    ],
    [
      'integer beyond int4',
      { a: 2 ** 31 },
      (r: BodyReader) => r.integer('a'),
      undefined,
      'Ensure this value is less than or equal to 2147483647.',
    ],
    ['fraction', { a: 1.5 }, (r: BodyReader) => r.integer('a'), undefined, 'A valid integer is required.'],
    ['numeric string', { a: '5' }, (r: BodyReader) => r.integer('a'), undefined, 'A valid integer is required.'],
    ['choice', { a: 'x' }, (r: BodyReader) => r.choice('a', ['x', 'y']), 'x', undefined],
    [
      'bad choice',
      { a: 'z' },
      (r: BodyReader) => r.choice('a', ['x', 'y']),
      undefined,
      '"z" is not a valid choice. Choose one of: x, y.',
    ],
    [
      'uuid lower-cased',
      { a: 'AAAAAAAA-0000-4000-8000-000000000000' },
      (r: BodyReader) => r.uuid('a'),
      'aaaaaaaa-0000-4000-8000-000000000000',
      undefined,
    ],
    ['bad uuid', { a: 'nope' }, (r: BodyReader) => r.uuid('a'), undefined, 'Must be a valid UUID.'],
  ])('%s', (_label, body, readOne, value, error) => {
    const reader = read(body);
    expect(readOne(reader)).toEqual(value);
    expect(reader.errors).toEqual(error ? { a: [error] } : {});
  });

  it('does not ask for required fields in a partial update', () => {
    const reader = read({}, true);
    expect(reader.text('a', { required: true })).toBeUndefined();
    expect(reader.result({})).toEqual({ ok: true, value: {} });
  });

  it('collects every problem before answering', () => {
    const reader = read({ a: 1, b: 'x' });
    reader.text('a');
    reader.boolean('b');
    const result: Checked<object> = reader.result({});
    expect(result).toEqual({ ok: false, errors: { a: ['Not a valid string.'], b: ['Must be a valid boolean.'] } });
  });
});

describe('helpers', () => {
  it('defined drops only undefined values', () => {
    expect(defined({ a: undefined, b: null, c: 0, d: '' })).toEqual({ b: null, c: 0, d: '' });
  });

  it.each([
    ['00000000-0000-4000-8000-000000000000', true],
    ['00000000000040008000000000000000', false],
    [42, false],
  ])('isUuid(%j) is %s', (value, expected) => {
    expect(isUuid(value)).toBe(expected);
  });
});
