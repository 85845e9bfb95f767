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
import { PromptStage, type PromptField } from '../persistence/stage-settings.entities.js';
import { orderedFields, validatePromptAnswers } from './prompt-answers.js';

/**
 * Asks the questions of a `prompt_stages` row (`ak-stage-prompt`). Valid answers go into the flow
 * context as `prompt_data` for later stages (e.g. user_write); invalid ones return the challenge
 * with `response_errors` and store nothing.
 */
@Injectable()
@FlowStageHandler()
export class PromptStageHandler implements StageHandler {
  readonly type = 'prompt';

  constructor(
    private readonly users: UserRepository,
    @InjectRepository(PromptStage) private readonly settings: Repository<PromptStage>,
  ) {}

  async challenge(context: StageContext): Promise<StageOutcome> {
    return { kind: 'challenge', challenge: this.build(await this.fieldsOf(context)) };
  }

  async submit(context: StageContext, body: Record<string, unknown>): Promise<StageOutcome> {
    const fields = await this.fieldsOf(context);
    const { data, errors } = validatePromptAnswers(fields, body);
    for (const field of fields) {
      const value = data[field.field_key];
      // Checked here so the person can pick another name; user_write checks again for races.
      if (field.type === 'username' && typeof value === 'string' && (await this.users.findByUsername(value))) {
        errors[field.field_key] = [{ string: 'A user with that username already exists.', code: 'unique' }];
      }
    }
    if (Object.keys(errors).length > 0) return withErrors(this.build(fields), errors);
    const previous = context.execution.context.prompt_data;
    const merged = typeof previous === 'object' && previous !== null ? { ...previous, ...data } : data;
    context.execution.context = { ...context.execution.context, prompt_data: merged };
    return { kind: 'next' };
  }

  private build(fields: PromptField[]): Record<string, unknown> {
    return {
      component: 'ak-stage-prompt',
      fields: fields.map((field) => ({
        field_key: field.field_key,
        label: field.label,
        type: field.type,
        required: field.required,
        placeholder: field.placeholder ?? '',
        order: field.order,
      })),
    };
  }

  private async fieldsOf(context: StageContext): Promise<PromptField[]> {
    const row = await this.settings.findOneBy({ stageUuid: context.stage.stageUuid });
    return orderedFields(Array.isArray(row?.fields) ? row.fields : []);
  }
}
