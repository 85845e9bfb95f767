import { EventService, GeoIpService, StageRepository, type Stage } from '@idp/core';
import { FlowRepository, StageSettingsRepository, type Flow, type TypedStage } from '@idp/flows';
import { Controller, Delete, Get, HttpCode, Param, Query, type Type } from '@nestjs/common';
import type { ObjectLiteral } from 'typeorm';
import type { ApiCaller } from '../../auth/api-auth.guard.js';
import { AdminApi } from '../common/admin-api.decorator.js';
import { ApiPaginatedResponse } from '../common/api-responses.js';
import { Caller } from '../../auth/caller.decorator.js';
import { AdminModelController } from '../common/admin-model.controller.js';
import { ApiOkResponse, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { isUuid, QueryText } from '../common/dto-rules.js';
import type { FieldErrors } from '../common/field-errors.js';
import { notFound, recordModelEvent, rejectingViolations, rejectProblems, type ModelRef } from '../common/model-api.js';
import { PageQuery, pageOf, paginated } from '../common/pagination.js';
import { UuidParam } from '../common/params.js';
import {
  IDENTIFICATION_KIND,
  PASSWORD_KIND,
  patchDtoOf,
  PROMPT_KIND,
  USER_LOGIN_KIND,
  USER_LOGOUT_KIND,
  USER_WRITE_KIND,
  type StageKind,
} from './stage-kinds.js';
import type { StageDto } from './stage.dto.js';
import { presentStage, stageMeta, StageResponse } from './stage.response.js';

export class StageListQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Part of the stage name.' })
  @QueryText()
  search?: string;

  @ApiPropertyOptional({ description: 'Same as search.' })
  @QueryText()
  name?: string;
}

export class AllStagesListQuery extends StageListQuery {
  @ApiPropertyOptional({ description: 'Only stages of this type, e.g. user_login.' })
  @QueryText()
  type?: string;
}

/** How audit events name a stage; authentik names the model after the type (`passwordstage`). */
function describeStage(stage: Stage, app = 'stages'): ModelRef {
  return { app, model_name: `${stage.type.replaceAll('_', '')}stage`, pk: stage.stageUuid, name: stage.name };
}

/** `/api/v3/stages/all/`: every stage whatever its type, to find and delete them. */
@Controller('api/v3/stages/all')
@ApiTags('stages')
@AdminApi()
export class AllStagesController {
  constructor(
    private readonly stages: StageSettingsRepository,
    private readonly commonStages: StageRepository,
    private readonly flows: FlowRepository,
    private readonly events: EventService,
  ) {}

  @Get()
  @ApiPaginatedResponse(StageResponse)
  async list(@Query() query: AllStagesListQuery) {
    const page = pageOf(query);
    const filter = { type: query.type, search: query.search ?? query.name };
    const [rows, count] = await this.stages.listStages({ offset: page.offset, limit: page.pageSize, ...filter });
    const flows = await this.flows.flowsOfStages(rows.map((stage) => stage.stageUuid));
    return paginated(
      page,
      count,
      rows.map((stage) => presentStage(stage, flows.get(stage.stageUuid) ?? [])),
    );
  }

  @Get(':uuid')
  @ApiOkResponse({ type: StageResponse })
  async get(@Param('uuid', UuidParam) uuid: string) {
    const stage = await this.find(uuid);
    const flows = await this.flows.flowsOfStages([uuid]);
    return presentStage(stage, flows.get(stage.stageUuid) ?? []);
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
function typedStagesController<T extends ObjectLiteral, D extends StageDto>(
  kind: StageKind<T, D>,
  className: string,
): Type<unknown> {
  const dtos = { create: kind.dto, update: patchDtoOf(kind.dto) };
  @Controller(`api/v3/stages/${kind.type}`)
  @ApiTags('stages')
  @AdminApi()
  class TypedStagesController extends AdminModelController<TypedStage<T>, D, Partial<D>>(dtos) {
    constructor(
      readonly stages: StageSettingsRepository,
      readonly commonStages: StageRepository,
      readonly flows: FlowRepository,
      readonly geoip: GeoIpService,
      events: EventService,
    ) {
      super(events);
    }

    @Get()
    @ApiPaginatedResponse(kind.dto)
    async list(@Query() query: StageListQuery) {
      const page = pageOf(query);
      const search = query.search ?? query.name;
      const [rows, count] = await this.stages.listTyped(kind.entity, {
        offset: page.offset,
        limit: page.pageSize,
        type: kind.type,
        search,
      });
      const flows = await this.flows.flowsOfStages(rows.map(({ stage }) => stage.stageUuid));
      return paginated(
        page,
        count,
        rows.map((typed) => this.show(typed, flows.get(typed.stage.stageUuid) ?? [])),
      );
    }

    protected async find(uuid: string): Promise<TypedStage<T>> {
      const typed = isUuid(uuid) ? await this.stages.findTyped(kind.entity, kind.type, uuid.toLowerCase()) : null;
      if (!typed) throw notFound();
      return typed;
    }

    protected async insert(body: D): Promise<string> {
      const fields = kind.toFields(body);
      rejectProblems(await this.problemsOf(body.name, fields));
      return rejectingViolations(() => this.stages.createTyped(kind.entity, kind.type, body.name, fields));
    }

    protected async change({ stage }: TypedStage<T>, body: Partial<D>): Promise<string> {
      const fields = kind.toFields(body);
      rejectProblems(await this.problemsOf(body.name, fields, stage.stageUuid));
      await rejectingViolations(() => this.stages.updateTyped(kind.entity, stage.stageUuid, body.name, fields));
      return stage.stageUuid;
    }

    protected async erase({ stage }: TypedStage<T>): Promise<void> {
      await this.stages.deleteStage(stage.stageUuid);
    }

    protected async present(typed: TypedStage<T>) {
      const flows = await this.flows.flowsOfStages([typed.stage.stageUuid]);
      return this.show(typed, flows.get(typed.stage.stageUuid) ?? []);
    }

    /** authentik's stage fields, then the type's settings. */
    private show({ stage, settings }: TypedStage<T>, flows: Flow[]) {
      return { pk: stage.stageUuid, name: stage.name, ...stageMeta(kind.type, flows), ...kind.present(settings) };
    }

    protected describe({ stage }: TypedStage<T>): ModelRef {
      return describeStage(stage, kind.eventApp);
    }

    /** Problems only the database can show: a name another stage has, a flow that does not exist. */
    private async problemsOf(name: string | undefined, fields: Partial<T>, exceptUuid?: string): Promise<FieldErrors> {
      const errors: FieldErrors = (await kind.checkContext?.(fields, { flows: this.flows, geoip: this.geoip })) ?? {};
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
/** `/api/v3/stages/user_login/` CRUD. */
export const UserLoginStagesController = typedStagesController(USER_LOGIN_KIND, 'UserLoginStagesController');
/** `/api/v3/stages/user_logout/` CRUD (name only). */
export const UserLogoutStagesController = typedStagesController(USER_LOGOUT_KIND, 'UserLogoutStagesController');
