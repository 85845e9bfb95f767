import { EventService, GeoIpService, StageRepository } from '@idp/core';
import { UserLoginStageRepository, validateUserLoginStageInput, type UserLoginStage } from '@idp/user-login';
import { BadRequestException, Controller, Get, Query, UseGuards } from '@nestjs/common';
import { AdminOnly, ApiAuthGuard } from '../../auth/api-auth.guard.js';
import { AdminModelController } from '../shared/admin-model.controller.js';
import { isUuid } from '../shared/field-rules.js';
import { notFound, rejectingViolations, type ModelRef } from '../shared/model-api.js';
import { paginated, queryText, readPage } from '../shared/pagination.js';

const DEFAULTS = {
  sessionDuration: 'seconds=0',
  rememberMeOffset: 'seconds=0',
  networkBinding: 'no_binding',
  geoipBinding: 'no_binding',
  terminateOtherSessions: false,
  bindingMode: 'enforce',
  onMissingRecord: 'terminate',
  bindingExemptCidrs: [] as string[],
  ipv6Prefix: 128,
  sessionIdleTimeout: 'seconds=0',
  maxSessions: 0,
  onLimit: 'evict_oldest',
} as const;

/**
 * `/api/v3/stages/user_login/`: CRUD for User Login stages. Input is checked before anything is
 * written, including whether the server has the GeoIP/ASN database a binding needs.
 */
@Controller('api/v3/stages/user_login')
@UseGuards(ApiAuthGuard)
@AdminOnly()
export class UserLoginStagesController extends AdminModelController<UserLoginStage> {
  constructor(
    private readonly stages: UserLoginStageRepository,
    private readonly commonStages: StageRepository,
    private readonly geoip: GeoIpService,
    events: EventService,
  ) {
    super(events);
  }

  @Get()
  async list(@Query() query: Record<string, unknown>) {
    const page = readPage(query);
    const search = queryText(query, 'search') ?? queryText(query, 'name');
    const [rows, count] = await this.stages.list(page.offset, page.pageSize, search);
    return paginated(
      page,
      count,
      rows.map((stage) => this.present(stage)),
    );
  }

  protected async find(uuid: string): Promise<UserLoginStage> {
    const stage = isUuid(uuid) ? await this.stages.findByUuid(uuid.toLowerCase()) : null;
    if (!stage) throw notFound();
    return stage;
  }

  protected async insert(body: unknown): Promise<string> {
    const input = this.validate(body, false);
    await this.ensureNameFree(input.name!);
    const stage = await rejectingViolations(() => this.stages.create(input.name!, { ...DEFAULTS, ...input.fields }));
    return stage.stageUuid;
  }

  protected async change(stage: UserLoginStage, body: unknown, partial: boolean): Promise<string> {
    const input = this.validate(body, partial);
    if (input.name && input.name !== stage.stage.name) await this.ensureNameFree(input.name, stage.stageUuid);
    await rejectingViolations(() => this.stages.update(stage.stageUuid, input.name, input.fields));
    return stage.stageUuid;
  }

  protected async erase(stage: UserLoginStage): Promise<void> {
    await this.stages.delete(stage.stageUuid);
  }

  protected present(stage: UserLoginStage) {
    return {
      pk: stage.stageUuid,
      name: stage.stage.name,
      component: 'ak-stage-user-login-form',
      session_duration: stage.sessionDuration,
      remember_me_offset: stage.rememberMeOffset,
      network_binding: stage.networkBinding,
      geoip_binding: stage.geoipBinding,
      terminate_other_sessions: stage.terminateOtherSessions,
      binding_mode: stage.bindingMode,
      on_missing_record: stage.onMissingRecord,
      binding_exempt_cidrs: stage.bindingExemptCidrs,
      ipv6_prefix: stage.ipv6Prefix,
      session_idle_timeout: stage.sessionIdleTimeout,
      max_sessions: stage.maxSessions,
      on_limit: stage.onLimit,
    };
  }

  protected describe(stage: UserLoginStage): ModelRef {
    return { app: 'user_login', model_name: 'userloginstage', pk: stage.stageUuid, name: stage.stage.name };
  }

  private validate(body: unknown, partial: boolean) {
    const result = validateUserLoginStageInput(body, partial, {
      hasCity: this.geoip.hasCity,
      hasAsn: this.geoip.hasAsn,
    });
    if (!result.ok) throw new BadRequestException(result.errors);
    return result;
  }

  private async ensureNameFree(name: string, exceptUuid?: string): Promise<void> {
    if (await this.commonStages.nameTaken(name, exceptUuid)) {
      throw new BadRequestException({ name: ['A stage with this name already exists.'] });
    }
  }
}
