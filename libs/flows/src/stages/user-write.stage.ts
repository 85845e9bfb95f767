import {
  clientIp,
  EventService,
  hashPassword,
  httpRequestContext,
  toEventUser,
  UserRepository,
  type User,
} from '@idp/core';
import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import { FlowStageHandler } from '../executor/stage-handler.registry.js';
import type { StageContext, StageHandler, StageOutcome } from '../executor/stage-handler.interface.js';
import { UserWriteStage } from '../persistence/stage-settings.entities.js';

const USERNAME_TAKEN = 'A user with that username already exists.';

/**
 * Creates a user from the flow's `prompt_data` (argon2id password hash, active unless the stage
 * says otherwise), makes it the pending user for the stages after it, and writes `model_created`.
 * It has no challenge of its own: it either moves on or denies the flow, creating nothing.
 */
@Injectable()
@FlowStageHandler()
export class UserWriteStageHandler implements StageHandler {
  readonly type = 'user_write';
  private readonly logger = new Logger(UserWriteStageHandler.name);

  constructor(
    private readonly users: UserRepository,
    private readonly events: EventService,
    @InjectRepository(UserWriteStage) private readonly settings: Repository<UserWriteStage>,
  ) {}

  async challenge(context: StageContext): Promise<StageOutcome> {
    const data = context.execution.context.prompt_data;
    if (typeof data !== 'object' || data === null)
      return { kind: 'deny', message: 'There is no user data to write: the flow asked no questions.' };
    const answers = data as Record<string, unknown>;
    if (typeof answers.username !== 'string' || answers.username === '')
      return { kind: 'deny', message: 'The flow did not ask for a username.' };
    if (await this.users.findByUsername(answers.username)) return { kind: 'deny', message: USERNAME_TAKEN };

    const settings = await this.settings.findOneBy({ stageUuid: context.stage.stageUuid });
    const created = await this.create(answers, settings?.createUsersAsInactive ?? false);
    if (!created) return { kind: 'deny', message: USERNAME_TAKEN };

    context.execution.pendingUserPk = created.pk;
    // The plain password has done its job; it must not linger in stored flow state.
    const { password: _password, ...rest } = answers;
    context.execution.context = { ...context.execution.context, prompt_data: rest };
    await this.events.record({
      action: 'model_created',
      app: 'idp.flows',
      user: toEventUser(created),
      clientIp: clientIp(context.request),
      context: {
        model: { app: 'core', model_name: 'user', pk: created.pk, name: created.username },
        stage: context.stage.name,
        http_request: httpRequestContext(context.request),
      },
    });
    return { kind: 'next' };
  }

  submit(context: StageContext): Promise<StageOutcome> {
    return this.challenge(context);
  }

  /** The new user, or null when someone took the username since the check (unique violation). */
  private async create(answers: Record<string, unknown>, inactive: boolean): Promise<User | null> {
    const text = (key: string) => (typeof answers[key] === 'string' ? (answers[key] as string) : '');
    try {
      return await this.users.create({
        username: answers.username as string,
        email: text('email'),
        name: text('name'),
        password: typeof answers.password === 'string' ? await hashPassword(answers.password) : null,
        isActive: !inactive,
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        this.logger.warn(`Enrollment lost a race for username "${String(answers.username)}"`);
        return null;
      }
      throw error;
    }
  }
}

function isUniqueViolation(error: unknown): boolean {
  // 23505 is PostgreSQL's unique_violation.
  return error instanceof QueryFailedError && (error.driverError as { code?: string } | undefined)?.code === '23505';
}
