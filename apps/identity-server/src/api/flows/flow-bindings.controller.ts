import { EventService, StageRepository } from '@idp/core';
import { FlowRepository, type BindingFields, type Flow, type FlowStageBinding } from '@idp/flows';
import { Controller, Get, Query } from '@nestjs/common';
import { AdminApi } from '../common/admin-api.decorator.js';
import { ApiPaginatedResponse } from '../common/api-responses.js';
import { AdminModelController } from '../common/admin-model.controller.js';
import { ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { definedOnly, isUuid, QueryText, rule } from '../common/dto-rules.js';
import type { FieldErrors } from '../common/field-errors.js';
import { notFound, rejectingViolations, rejectProblems, type ModelRef } from '../common/model-api.js';
import { PageQuery, pageOf, paginated } from '../common/pagination.js';
import { presentStage } from '../stages/stage.response.js';
import { FlowBindingDto, FlowBindingPatchDto } from './flow.dto.js';

const BINDING_ORDERINGS = ['order', '-order'] as const;

export class FlowBindingListQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only the bindings of this flow.' })
  @QueryText()
  @rule('target', (value) => (isUuid(value) ? null : 'Must be a valid UUID.'))
  target?: string;

  @ApiPropertyOptional({ enum: BINDING_ORDERINGS, default: 'order' })
  @QueryText()
  @rule('ordering', (value) =>
    (BINDING_ORDERINGS as readonly unknown[]).includes(value) ? null : 'Choose one of: order, -order.',
  )
  ordering?: (typeof BINDING_ORDERINGS)[number];
}

/** Entity fields from a binding body: only those sent. */
function bindingFields(body: FlowBindingPatchDto): Partial<BindingFields> {
  return definedOnly({ flowUuid: body.target, stageUuid: body.stage, order: body.order });
}

/** `/api/v3/flows/bindings/`: which stages a flow runs, in which order. */
@Controller('api/v3/flows/bindings')
@ApiTags('flows')
@AdminApi()
export class FlowBindingsController extends AdminModelController<FlowStageBinding, FlowBindingDto, FlowBindingPatchDto>(
  {
    create: FlowBindingDto,
    update: FlowBindingPatchDto,
  },
) {
  constructor(
    private readonly flows: FlowRepository,
    private readonly stages: StageRepository,
    events: EventService,
  ) {
    super(events);
  }

  @Get()
  @ApiPaginatedResponse(FlowBindingDto)
  async list(@Query() query: FlowBindingListQuery) {
    const page = pageOf(query);
    const [rows, count] = await this.flows.searchBindings({
      offset: page.offset,
      limit: page.pageSize,
      flowUuid: query.target?.toLowerCase(),
      descending: query.ordering === '-order',
    });
    const flows = await this.flows.flowsOfStages([...new Set(rows.map((binding) => binding.stageUuid))]);
    return paginated(
      page,
      count,
      rows.map((binding) => this.show(binding, flows.get(binding.stageUuid) ?? [])),
    );
  }

  protected async find(uuid: string): Promise<FlowStageBinding> {
    const binding = isUuid(uuid) ? await this.flows.findBinding(uuid.toLowerCase()) : null;
    if (!binding) throw notFound();
    return binding;
  }

  protected async insert(body: FlowBindingDto): Promise<string> {
    const fields = bindingFields(body) as BindingFields;
    rejectProblems(await this.problemsOf(fields, fields));
    return rejectingViolations(() => this.flows.createBinding(fields));
  }

  protected async change(current: FlowStageBinding, body: FlowBindingPatchDto): Promise<string> {
    const fields = bindingFields(body);
    const merged: BindingFields = {
      flowUuid: current.flowUuid,
      stageUuid: current.stageUuid,
      order: current.order,
      ...fields,
    };
    rejectProblems(await this.problemsOf(merged, fields, current.bindingUuid));
    await rejectingViolations(() => this.flows.updateBinding(current.bindingUuid, fields));
    return current.bindingUuid;
  }

  protected async erase(binding: FlowStageBinding): Promise<void> {
    await this.flows.deleteBinding(binding.bindingUuid);
  }

  protected async present(binding: FlowStageBinding) {
    const flows = await this.flows.flowsOfStages([binding.stageUuid]);
    return this.show(binding, flows.get(binding.stageUuid) ?? []);
  }

  /**
   * A binding with its stage as authentik's `Stage` (`flows`: where that stage is bound). There
   * is no policy binding model here: `policybindingmodel_ptr_id` is the binding's own pk.
   */
  private show(binding: FlowStageBinding, flows: Flow[]) {
    return {
      pk: binding.bindingUuid,
      policybindingmodel_ptr_id: binding.bindingUuid,
      target: binding.flowUuid,
      stage: binding.stageUuid,
      stage_obj: presentStage(binding.stage, flows),
      order: binding.order,
    };
  }

  protected describe(binding: FlowStageBinding): ModelRef {
    const name = `${binding.stage.name} at order ${binding.order}`;
    return { app: 'flows', model_name: 'flowstagebinding', pk: binding.bindingUuid, name };
  }

  /** What the database would refuse, said per field: unknown flow or stage, an order already taken. */
  private async problemsOf(
    result: BindingFields,
    changed: Partial<BindingFields>,
    bindingUuid?: string,
  ): Promise<FieldErrors> {
    const errors: FieldErrors = {};
    if (changed.flowUuid !== undefined && !(await this.flows.findByUuid(changed.flowUuid))) {
      errors.target = [`No flow with pk "${changed.flowUuid}" exists.`];
    }
    if (changed.stageUuid !== undefined && !(await this.stages.findByUuid(changed.stageUuid))) {
      errors.stage = [`No stage with pk "${changed.stageUuid}" exists.`];
    }
    const moves = changed.flowUuid !== undefined || changed.order !== undefined;
    if (!errors.target && moves && (await this.flows.orderTaken(result.flowUuid, result.order, bindingUuid))) {
      errors.order = [
        `This flow already has a stage bound at order ${result.order}; orders must be unique within a flow.`,
      ];
    }
    return errors;
  }
}
