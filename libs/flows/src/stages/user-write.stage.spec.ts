import { EventService, UserRepository, type User } from '@idp/core';
import { Test } from '@nestjs/testing';
import { getRepositoryToken } from '@nestjs/typeorm';
import { QueryFailedError } from 'typeorm';
import { describe, expect, it, vi } from 'vitest';
import type { StageContext } from '../executor/stage-handler.interface.js';
import { UserWriteStage } from '../persistence/stage-settings.entities.js';
import { UserWriteStageHandler } from './user-write.stage.js';

function contextWith(promptData: unknown): StageContext {
  return {
    request: { method: 'POST', url: '/api/v3/flows/executor/enroll/', headers: {}, ip: '192.0.2.1' },
    response: {},
    flow: {},
    stage: { stageUuid: 'stage-1', name: 'enroll-write', type: 'user_write' },
    execution: { pendingUserPk: null, context: promptData === undefined ? {} : { prompt_data: promptData } },
    pendingUser: async () => null,
  } as unknown as StageContext;
}

async function build(create: (fields: Partial<User>) => Promise<User>) {
  const users = { findByUsername: vi.fn(async () => null), create: vi.fn(create) };
  const events = { record: vi.fn(async () => ({})) };
  const moduleRef = await Test.createTestingModule({
    providers: [
      UserWriteStageHandler,
      { provide: UserRepository, useValue: users },
      { provide: EventService, useValue: events },
      {
        provide: getRepositoryToken(UserWriteStage),
        useValue: { findOneBy: async () => ({ createUsersAsInactive: false }) },
      },
    ],
  }).compile();
  return { sut: moduleRef.get(UserWriteStageHandler), users, events };
}

describe('UserWriteStageHandler', () => {
  it('creates an active user with an argon2id hash, makes it pending, and drops the plain password from the flow', async () => {
    const { sut, users, events } = await build(async (fields) => ({ pk: 7, ...fields }) as User);
    const context = contextWith({ username: 'alice', email: 'a@example.test', password: 'long-enough-1' });
    await expect(sut.challenge(context)).resolves.toEqual({ kind: 'next' });
    const fields = users.create.mock.calls[0][0];
    expect(fields).toMatchObject({ username: 'alice', email: 'a@example.test', isActive: true });
    expect(fields.password).toMatch(/^\$argon2id\$/);
    expect(context.execution.pendingUserPk).toBe(7);
    expect(context.execution.context.prompt_data).toEqual({ username: 'alice', email: 'a@example.test' });
    expect(events.record).toHaveBeenCalledWith(expect.objectContaining({ action: 'model_created' }));
  });

  it('a unique violation from a concurrent enrollment denies with a clear message and writes no event', async () => {
    const violation = new QueryFailedError('INSERT', [], Object.assign(new Error('duplicate key'), { code: '23505' }));
    const { sut, events } = await build(async () => {
      throw violation;
    });
    const context = contextWith({ username: 'alice', password: 'long-enough-1' });
    await expect(sut.challenge(context)).resolves.toEqual({
      kind: 'deny',
      message: 'A user with that username already exists.',
    });
    expect(context.execution.pendingUserPk).toBeNull();
    expect(events.record).not.toHaveBeenCalled();
  });

  it('other database errors are not disguised as a taken username', async () => {
    const { sut } = await build(async () => {
      throw new QueryFailedError('INSERT', [], Object.assign(new Error('connection lost'), { code: '57P01' }));
    });
    await expect(sut.challenge(contextWith({ username: 'alice' }))).rejects.toBeInstanceOf(QueryFailedError);
  });

  it('denies when no prompt ran before it', async () => {
    const { sut, users } = await build(async () => ({}) as User);
    await expect(sut.challenge(contextWith(undefined))).resolves.toMatchObject({ kind: 'deny' });
    expect(users.create).not.toHaveBeenCalled();
  });
});
