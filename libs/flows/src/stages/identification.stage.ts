import { UserRepository } from '@idp/core';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { FlowStageHandler } from '../executor/stage-handler.registry.js';
import {
  withErrors,
  type StageContext,
  type StageHandler,
  type StageOutcome,
} from '../executor/stage-handler.interface.js';
import { IdentificationStage } from '../persistence/stage-settings.entities.js';

/**
 * Asks who the user is. An unknown identifier still moves on to the password stage, which then
 * fails the same way as a wrong password, so the flow never reveals which accounts exist.
 */
@Injectable()
@FlowStageHandler()
export class IdentificationStageHandler implements StageHandler {
  readonly type = 'identification';

  constructor(
    private readonly users: UserRepository,
    @InjectRepository(IdentificationStage) private readonly settings: Repository<IdentificationStage>,
  ) {}

  async challenge(context: StageContext): Promise<StageOutcome> {
    return { kind: 'challenge', challenge: await this.build(context) };
  }

  async submit(context: StageContext, body: Record<string, unknown>): Promise<StageOutcome> {
    const uid = body.uid_field;
    if (typeof uid !== 'string' || uid.trim() === '') {
      return withErrors(await this.build(context), {
        uid_field: [{ string: 'This field is required.', code: 'required' }],
      });
    }
    if (uid.length > 254) {
      return withErrors(await this.build(context), {
        uid_field: [{ string: 'Ensure this field has no more than 254 characters.', code: 'max_length' }],
      });
    }
    const settings = await this.settingsOf(context);
    const user = await this.users.findByIdentifier(uid.trim(), settings.userFields);
    context.execution.pendingUserPk = user?.pk ?? null;
    context.execution.context = { ...context.execution.context, uid: uid.trim() };
    return { kind: 'next' };
  }

  private async build(context: StageContext): Promise<Record<string, unknown>> {
    const settings = await this.settingsOf(context);
    return {
      component: 'ak-stage-identification',
      user_fields: settings.userFields,
      ...(settings.enrollmentFlowSlug ? { enroll_url: `/if/flow/${settings.enrollmentFlowSlug}/` } : {}),
    };
  }

  private async settingsOf(context: StageContext): Promise<IdentificationStage> {
    return (
      (await this.settings.findOneBy({ stageUuid: context.stage.stageUuid })) ??
      Object.assign(new IdentificationStage(), {
        stageUuid: context.stage.stageUuid,
        userFields: ['username', 'email'],
        enrollmentFlowSlug: null,
      })
    );
  }
}
