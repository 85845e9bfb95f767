import 'reflect-metadata';
import type { ArgumentMetadata, Type } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { FlowBindingDto, FlowDto, FlowPatchDto } from '../flows/flow.dto.js';
import { BulkDeleteQuery } from '../sessions/sessions.controller.js';
import { patchDtoOf } from '../stages/stage-kinds.js';
import { IdentificationStageDto, PromptStageDto, UserLoginStageDto } from '../stages/stage.dto.js';
import { UserCreateDto } from '../users/user.dto.js';
import { ApiValidationPipe } from './api-validation.pipe.js';
import { PageQuery, pageOf } from './pagination.js';

const pipe = new ApiValidationPipe();

/** The pipe's answer: the DTO, or the 400 body. */
async function check(metatype: Type<unknown>, value: unknown, type: ArgumentMetadata['type'] = 'body') {
  try {
    return { ok: await pipe.transform(value, { type, metatype }) };
  } catch (error) {
    return { errors: (error as { getResponse(): unknown }).getResponse() };
  }
}

describe('ApiValidationPipe', () => {
  it('answers a body that is not a JSON object once, not per field', async () => {
    for (const body of [[1, 2], 'text', null, 5])
      expect(await check(FlowDto, body)).toEqual({ errors: { non_field_errors: ['Expected a JSON object.'] } });
  });

  it('names every missing required field and every unknown one', async () => {
    expect(await check(FlowDto, { name: 'x', colour: 'red' })).toEqual({
      errors: {
        colour: ['Unknown field.'],
        slug: ['This field is required.'],
        designation: ['This field is required.'],
      },
    });
  });

  it('lets PATCH leave fields out, but checks a null it was sent', async () => {
    expect(await check(FlowPatchDto, {})).toEqual({ ok: {} });
    expect(await check(FlowPatchDto, { name: null })).toEqual({ errors: { name: ['Not a valid string.'] } });
  });

  it('trims text, lowercases UUIDs and keeps read-only fields a client echoes back', async () => {
    const { ok } = await check(FlowBindingDto, {
      pk: 'ignored',
      target: 'A0000000-0000-4000-8000-000000000001',
      stage: 'a0000000-0000-4000-8000-000000000002',
      stage_obj: {},
      order: 3,
    });
    expect(ok).toMatchObject({ target: 'a0000000-0000-4000-8000-000000000001', order: 3 });
    expect((await check(FlowDto, { slug: ' s ', name: ' n ', designation: 'enrollment' })).ok).toMatchObject({
      slug: 's',
      name: 'n',
    });
  });

  it('refuses numbers as strings and integers beyond 32 bits (no implicit conversion)', async () => {
    const base = { target: 'a0000000-0000-4000-8000-000000000001', stage: 'a0000000-0000-4000-8000-000000000002' };
    expect(await check(FlowBindingDto, { ...base, order: '3' })).toEqual({
      errors: { order: ['A valid integer is required.'] },
    });
    expect(await check(FlowBindingDto, { ...base, order: 2 ** 31 })).toEqual({
      errors: { order: ['Ensure this value is less than or equal to 2147483647.'] },
    });
  });

  it('names a nested prompt field by its path, and a key used twice', async () => {
    const { errors } = await check(PromptStageDto, {
      name: 'p',
      fields: ['x', { field_key: 'a', label: 'A', type: 'date', colour: 1 }],
    });
    expect(errors).toEqual({
      fields: expect.arrayContaining([
        'fields[0]: Expected an object.',
        'fields[1].colour: Unknown field.',
        'fields[1].type: "date" is not a valid choice. Choose one of: text, username, email, password, checkbox.',
      ]),
    });
    const twice = [
      { field_key: 'a', label: 'A', type: 'text' },
      { field_key: 'a', label: 'B', type: 'email' },
    ];
    expect(await check(PromptStageDto, { name: 'p', fields: twice })).toEqual({
      errors: { fields: ['fields[1].field_key: "a" is used by another field of this stage.'] },
    });
    expect(await check(PromptStageDto, { name: 'p', fields: 'username' })).toEqual({
      errors: { fields: ['Expected a list of prompt fields.'] },
    });
  });

  it('checks durations with the domain parser and choices by their list', async () => {
    expect((await check(UserLoginStageDto, { name: 'x', session_duration: 'hours=-1' })).errors).toEqual({
      session_duration: [expect.stringMatching(/must not be negative/)],
    });
    expect((await check(patchDtoOf(UserLoginStageDto), { network_binding: 'bind_all' })).errors).toEqual({
      network_binding: [
        '"bind_all" is not a valid choice. Choose one of: no_binding, bind_asn, bind_asn_network, bind_asn_network_ip.',
      ],
    });
    expect((await check(IdentificationStageDto, { name: 'i', enrollment_flow_slug: '' })).ok).toMatchObject({
      enrollment_flow_slug: null,
    });
  });

  it('keeps the user rules: username message when missing, password strength', async () => {
    expect((await check(UserCreateDto, { password: 'short' })).errors).toEqual({
      username: [expect.stringMatching(/valid username/)],
      password: [expect.stringMatching(/at least 8/)],
    });
  });

  it('reads query parameters: ignores unknown ones, parses page numbers, refuses bad ones', async () => {
    expect((await check(PageQuery, { page: '3', page_size: '1000', utm: 'x' }, 'query')).ok).toEqual({
      page: 3,
      page_size: 1000,
    });
    expect(pageOf({ page: 3, page_size: 1000 })).toEqual({ page: 3, pageSize: 100, offset: 200 });
    for (const page of ['0', '1e3', '2147483648', 'x'])
      expect((await check(PageQuery, { page }, 'query')).errors, page).toEqual({
        page: ['A valid integer >= 1 is required.'],
      });
    expect((await check(BulkDeleteQuery, { user_pks: '1, 2,2', keep_current: '1' }, 'query')).ok).toEqual({
      user_pks: [1, 2],
      keep_current: true,
    });
    expect((await check(BulkDeleteQuery, { user_pks: ['1', '2'] }, 'query')).errors).toHaveProperty('user_pks');
    expect((await check(BulkDeleteQuery, { keep_current: 'yes' }, 'query')).errors).toHaveProperty('keep_current');
  });
});
