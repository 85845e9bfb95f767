import { EventService, StageRepository, toEventUser } from '@idp/core';
import { UserLoginStageRepository, validateUserLoginStageInput, type UserLoginStage } from '@idp/user-login';
import { GeoIpService } from '@idp/core';
import { BadRequestException, Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Patch, Post, Put, Query, UseGuards } from '@nestjs/common';
import { AdminOnly, ApiAuthGuard, type ApiCaller } from '../auth/api-auth.guard.js';
import { Caller } from '../auth/caller.decorator.js';
import { paginated, queryText, readPage } from './pagination.js';
import { UuidParam } from './uuid-param.js';

function present(stage: UserLoginStage) {
  return {
    pk: stage.stageUuid,
    name: stage.stage.name,
    component: 'ak-stage-user-login-form',
    session_duration: stage.sessionDuration,
    remember_me_offset: stage.rememberMeOffset,
    network_binding: stage.networkBinding,
    geoip_binding: stage.geoipBinding,
    terminate_other_sessions: stage.terminateOtherSessions,
  };
}

/** `/api/v3/stages/user_login/`: CRUD for User Login stages, validated before anything is written. */
@Controller('api/v3/stages/user_login')
@UseGuards(ApiAuthGuard)
@AdminOnly()
export class UserLoginStagesController {
  constructor(
    private readonly stages: UserLoginStageRepository,
    private readonly commonStages: StageRepository,
    private readonly geoip: GeoIpService,
    private readonly events: EventService,
  ) {}

  @Get()
  async list(@Query() query: Record<string, unknown>) {
    const page = readPage(query);
    const [rows, count] = await this.stages.list(page.offset, page.pageSize, queryText(query, 'search') ?? queryText(query, 'name'));
    return paginated(page, count, rows.map(present));
  }

  @Get(':uuid')
  async get(@Param('uuid', UuidParam) uuid: string) {
    return present(await this.find(uuid));
  }

  @Post()
  async create(@Body() body: unknown, @Caller() caller: ApiCaller) {
    const input = this.validate(body, false);
    if (await this.commonStages.nameTaken(input.name!)) throw new BadRequestException({ name: ['A stage with this name already exists.'] });
    const stage = await this.stages.create(input.name!, {
      sessionDuration: 'seconds=0',
      rememberMeOffset: 'seconds=0',
      networkBinding: 'no_binding',
      geoipBinding: 'no_binding',
      terminateOtherSessions: false,
      ...input.fields,
    });
    await this.audit('model_created', caller, stage);
    return present(stage);
  }

  @Put(':uuid')
  replace(@Param('uuid', UuidParam) uuid: string, @Body() body: unknown, @Caller() caller: ApiCaller) {
    return this.update(uuid, body, false, caller);
  }

  @Patch(':uuid')
  patch(@Param('uuid', UuidParam) uuid: string, @Body() body: unknown, @Caller() caller: ApiCaller) {
    return this.update(uuid, body, true, caller);
  }

  @Delete(':uuid')
  @HttpCode(204)
  async remove(@Param('uuid', UuidParam) uuid: string, @Caller() caller: ApiCaller) {
    const stage = await this.find(uuid);
    await this.stages.delete(uuid);
    await this.audit('model_deleted', caller, stage);
  }

  private async update(uuid: string, body: unknown, partial: boolean, caller: ApiCaller) {
    await this.find(uuid);
    const input = this.validate(body, partial);
    if (input.name && (await this.commonStages.nameTaken(input.name, uuid))) {
      throw new BadRequestException({ name: ['A stage with this name already exists.'] });
    }
    await this.stages.update(uuid, input.name, input.fields);
    const updated = await this.find(uuid);
    await this.audit('model_updated', caller, updated);
    return present(updated);
  }

  private validate(body: unknown, partial: boolean) {
    const result = validateUserLoginStageInput(body, partial, { hasCity: this.geoip.hasCity, hasAsn: this.geoip.hasAsn });
    if (!result.ok) throw new BadRequestException(result.errors);
    return result;
  }

  private async find(uuid: string): Promise<UserLoginStage> {
    const stage = await this.stages.findByUuid(uuid);
    if (!stage) throw new NotFoundException({ detail: 'Not found.' });
    return stage;
  }

  private async audit(action: string, caller: ApiCaller, stage: UserLoginStage): Promise<void> {
    await this.events.record({
      action,
      app: 'idp.api',
      user: toEventUser(caller.user),
      context: { model: { app: 'user_login', model_name: 'userloginstage', pk: stage.stageUuid, name: stage.stage.name } },
    });
  }
}
