import { QueryFailedError } from 'typeorm';
import { describe, expect, it } from 'vitest';
import {
  ConstraintViolation,
  constraintViolationOf,
  containsPattern,
  translatingViolations,
} from './constraint-violation.js';

const failed = (code: string, constraint?: string) =>
  new QueryFailedError('INSERT', [], Object.assign(new Error('refused'), { code, constraint }));

describe('constraintViolationOf', () => {
  it.each([
    [failed('23505', 'flows_slug_key'), 'unique', 'flows_slug_key'],
    [failed('23503', 'flow_stage_bindings_stage_uuid_fkey'), 'foreign_key', 'flow_stage_bindings_stage_uuid_fkey'],
    [failed('23505'), 'unique', ''],
  ])('reads %s', (error, kind, constraint) => {
    expect(constraintViolationOf(error)).toMatchObject({ kind, constraint });
  });

  it.each([[failed('23502', 'x')], [new Error('boom')], ['text'], [null]])('ignores %s', (error) => {
    expect(constraintViolationOf(error)).toBeNull();
  });
});

describe('translatingViolations', () => {
  it('passes results through', async () => {
    await expect(translatingViolations(async () => 7)).resolves.toBe(7);
  });

  it('turns a unique violation into a ConstraintViolation', async () => {
    await expect(
      translatingViolations(async () => {
        throw failed('23505', 'stages_name_key');
      }),
    ).rejects.toMatchObject(new ConstraintViolation('unique', 'stages_name_key'));
  });

  it('rethrows other errors unchanged', async () => {
    const boom = new Error('boom');
    await expect(
      translatingViolations(async () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
  });
});

describe('containsPattern', () => {
  it.each([
    ['login', '%login%'],
    ['50%', '%50\\%%'],
    ['a_b', '%a\\_b%'],
    ['back\\slash', '%back\\\\slash%'],
  ])('%s -> %s', (text, pattern) => {
    expect(containsPattern(text)).toBe(pattern);
  });
});
