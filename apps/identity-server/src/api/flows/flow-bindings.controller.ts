import { EventService, StageRepository } from '@idp/core';
import { FlowRepository, type BindingFields, type FlowStageBinding } from '@idp/flows';
import { BadRequestException, Controller, Get, Query, UseGuards } from '@nestjs/common';
import { AdminOnly, ApiAuthGuard } from '../../auth/api-auth.guard.js';
import { AdminModelController } from '../shared/admin-model.controller.js';
import { isUuid, type FieldErrors } from '../shared/field-rules.js';
import { validateBindingInput } from './flow.validation.js';
import { notFound, orBadRequest, rejectingViolations, rejectProblems, type ModelRef } from '../shared/model-api.js';
import { paginated, queryText, readPage } from '../shared/pagination.js';

/** `/api/v3/flows/bindings/`: which stages a flow runs, in which order. */
@Controller('api/v3/flows/bindings')
@UseGuards(ApiAuthGuard)
@AdminOnly()
export class FlowBindingsController extends AdminModelController<FlowStageBinding> {
  constructor(
    private readonly flows: FlowRepository,
    private readonly stages: StageRepository,
    events: EventService,
  ) {
    super(events);
  }

  @Get()
  async list(@Query() query: Record<string, unknown>) {
    const page = readPage(query);
    const flowUuid = queryText(query, 'target')?.toLowerCase();
    if (flowUuid !== undefined && !isUuid(flowUuid))
      throw new BadRequestException({ target: ['Must be a valid UUID.'] });
    const ordering = queryText(query, 'ordering') ?? 'order';
    if (ordering !== 'order' && ordering !== '-order')
      throw new BadRequestException({ ordering: ['Choose one of: order, -order.'] });
    const [rows, count] = await this.flows.searchBindings({
      offset: page.offset,
      limit: page.pageSize,
      flowUuid,
      descending: ordering === '-order',
    });
    return paginated(
      page,
      count,
      rows.map((binding) => this.present(binding)),
    );
  }

  protected async find(uuid: string): Promise<FlowStageBinding> {
    const binding = isUuid(uuid) ? await this.flows.findBinding(uuid.toLowerCase()) : null;
    if (!binding) throw notFound();
    return binding;
  }

  protected async insert(body: unknown): Promise<string> {
    const fields = orBadRequest(validateBindingInput(body, false)) as BindingFields;
    rejectProblems(await this.problemsOf(fields, fields));
    return rejectingViolations(() => this.flows.createBinding(fields));
  }

  protected async change(current: FlowStageBinding, body: unknown, partial: boolean): Promise<string> {
    const fields = orBadRequest(validateBindingInput(body, partial));
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

  /** A binding with a summary of its stage. */
  protected present(binding: FlowStageBinding) {
    return {
      pk: binding.bindingUuid,
      target: binding.flowUuid,
      stage: binding.stageUuid,
      stage_obj: { pk: binding.stage.stageUuid, name: binding.stage.name, type: binding.stage.type },
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
