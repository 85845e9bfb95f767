import { EventService, StageRepository, type Stage } from '@idp/core';
import { FlowRepository, StageSettingsRepository, type TypedStage } from '@idp/flows';
import { Controller, Delete, Get, HttpCode, Param, Query, UseGuards, type Type } from '@nestjs/common';
import type { ObjectLiteral } from 'typeorm';
import { AdminOnly, ApiAuthGuard, type ApiCaller } from '../../auth/api-auth.guard.js';
import { Caller } from '../../auth/caller.decorator.js';
import { AdminModelController } from '../shared/admin-model.controller.js';
import { isUuid, type FieldErrors } from '../shared/field-rules.js';
import {
  notFound,
  orBadRequest,
  recordModelEvent,
  rejectingViolations,
  rejectProblems,
  type ModelRef,
} from '../shared/model-api.js';
import { paginated, queryText, readPage } from '../shared/pagination.js';
import {
  IDENTIFICATION_KIND,
  PASSWORD_KIND,
  PROMPT_KIND,
  USER_LOGOUT_KIND,
  USER_WRITE_KIND,
  type StageKind,
} from './stage-kinds.js';
import { validateStageInput } from './stage.validation.js';
import { UuidParam } from '../shared/uuid-param.js';

/** How audit events name a stage; authentik names the model after the type (`passwordstage`). */
function describeStage(stage: Stage): ModelRef {
  return { app: 'stages', model_name: `${stage.type.replaceAll('_', '')}stage`, pk: stage.stageUuid, name: stage.name };
}

/** `/api/v3/stages/all/`: every stage whatever its type, to find and delete them. */
@Controller('api/v3/stages/all')
@UseGuards(ApiAuthGuard)
@AdminOnly()
export class AllStagesController {
  constructor(
    private readonly stages: StageSettingsRepository,
    private readonly commonStages: StageRepository,
    private readonly events: EventService,
  ) {}

  @Get()
  async list(@Query() query: Record<string, unknown>) {
    const page = readPage(query);
    const filter = { type: queryText(query, 'type'), search: queryText(query, 'search') ?? queryText(query, 'name') };
    const [rows, count] = await this.stages.listStages({ offset: page.offset, limit: page.pageSize, ...filter });
    return paginated(
      page,
      count,
      rows.map((stage) => ({ pk: stage.stageUuid, name: stage.name, type: stage.type })),
    );
  }

  @Get(':uuid')
  async get(@Param('uuid', UuidParam) uuid: string) {
    const stage = await this.find(uuid);
    return { pk: stage.stageUuid, name: stage.name, type: stage.type };
  }

  /** A stage still bound in flows may go: its bindings cascade, and the flows run without it. */
  @Delete(':uuid')
  @HttpCode(204)
  async remove(@Param('uuid', UuidParam) uuid: string, @Caller() caller: ApiCaller) {
    const stage = await this.find(uuid);
    await this.stages.deleteStage(uuid);
    await recordModelEvent(this.events, 'model_deleted', caller, describeStage(stage));
  }

  private async find(uuid: string): Promise<Stage> {
    const stage = await this.commonStages.findByUuid(uuid);
    if (!stage) throw notFound();
    return stage;
  }
}

/**
 * Builds the CRUD controller of one stage type at `/api/v3/stages/{type}/`: the common `stages`
 * row and the typed settings row are written together, and every problem is a 400 before any write.
 */
function typedStagesController<T extends ObjectLiteral>(kind: StageKind<T>, className: string): Type<unknown> {
  @Controller(`api/v3/stages/${kind.type}`)
  @UseGuards(ApiAuthGuard)
  @AdminOnly()
  class TypedStagesController extends AdminModelController<TypedStage<T>> {
    constructor(
      readonly stages: StageSettingsRepository,
      readonly commonStages: StageRepository,
      readonly flows: FlowRepository,
      events: EventService,
    ) {
      super(events);
    }

    @Get()
    async list(@Query() query: Record<string, unknown>) {
      const page = readPage(query);
      const search = queryText(query, 'search') ?? queryText(query, 'name');
      const [rows, count] = await this.stages.listTyped(kind.entity, {
        offset: page.offset,
        limit: page.pageSize,
        type: kind.type,
        search,
      });
      return paginated(
        page,
        count,
        rows.map((typed) => this.present(typed)),
      );
    }

    protected async find(uuid: string): Promise<TypedStage<T>> {
      const typed = isUuid(uuid) ? await this.stages.findTyped(kind.entity, kind.type, uuid.toLowerCase()) : null;
      if (!typed) throw notFound();
      return typed;
    }

    protected async insert(body: unknown): Promise<string> {
      const input = orBadRequest(validateStageInput(kind, body, false));
      rejectProblems(await this.problemsOf(input.name, input.fields));
      return rejectingViolations(() => this.stages.createTyped(kind.entity, kind.type, input.name!, input.fields));
    }

    protected async change({ stage }: TypedStage<T>, body: unknown, partial: boolean): Promise<string> {
      const input = orBadRequest(validateStageInput(kind, body, partial));
      rejectProblems(await this.problemsOf(input.name, input.fields, stage.stageUuid));
      await rejectingViolations(() => this.stages.updateTyped(kind.entity, stage.stageUuid, input.name, input.fields));
      return stage.stageUuid;
    }

    protected async erase({ stage }: TypedStage<T>): Promise<void> {
      await this.stages.deleteStage(stage.stageUuid);
    }

    protected present({ stage, settings }: TypedStage<T>) {
      return { pk: stage.stageUuid, name: stage.name, component: kind.component, ...kind.present(settings) };
    }

    protected describe({ stage }: TypedStage<T>): ModelRef {
      return describeStage(stage);
    }

    /** Problems only the database can show: a name another stage has, a flow that does not exist. */
    private async problemsOf(name: string | undefined, fields: Partial<T>, exceptUuid?: string): Promise<FieldErrors> {
      const errors: FieldErrors = (await kind.checkReferences?.(fields, this.flows)) ?? {};
      if (name !== undefined && (await this.commonStages.nameTaken(name, exceptUuid)))
        errors.name = ['A stage with this name already exists.'];
      return errors;
    }
  }
  // Nest names controllers in logs and errors by class name; five of them must not look alike.
  Object.defineProperty(TypedStagesController, 'name', { value: className });
  return TypedStagesController;
}

/** `/api/v3/stages/identification/` CRUD. */
export const IdentificationStagesController = typedStagesController(
  IDENTIFICATION_KIND,
  'IdentificationStagesController',
);
/** `/api/v3/stages/password/` CRUD. */
export const PasswordStagesController = typedStagesController(PASSWORD_KIND, 'PasswordStagesController');
/** `/api/v3/stages/prompt/` CRUD. */
export const PromptStagesController = typedStagesController(PROMPT_KIND, 'PromptStagesController');
/** `/api/v3/stages/user_write/` CRUD. */
export const UserWriteStagesController = typedStagesController(USER_WRITE_KIND, 'UserWriteStagesController');
/** `/api/v3/stages/user_logout/` CRUD (name only). */
export const UserLogoutStagesController = typedStagesController(USER_LOGOUT_KIND, 'UserLogoutStagesController');
