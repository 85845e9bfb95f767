import { EventService } from '@idp/core';
import { FlowRepository, FLOW_DESIGNATIONS, type Flow, type FlowFields } from '@idp/flows';
import { BadRequestException, Controller, Get, Query, UseGuards } from '@nestjs/common';
import { AdminOnly, ApiAuthGuard } from '../../auth/api-auth.guard.js';
import { AdminModelController } from '../shared/admin-model.controller.js';
import { isFlowSlug, validateFlowInput } from './flow.validation.js';
import { notFound, orBadRequest, rejectingViolations, type ModelRef } from '../shared/model-api.js';
import { paginated, queryText, readPage } from '../shared/pagination.js';

/** `/api/v3/flows/instances/`: flows, looked up by slug as in authentik. */
@Controller('api/v3/flows/instances')
@UseGuards(ApiAuthGuard)
@AdminOnly()
export class FlowsController extends AdminModelController<Flow> {
  constructor(
    private readonly flows: FlowRepository,
    events: EventService,
  ) {
    super(events);
  }

  @Get()
  async list(@Query() query: Record<string, unknown>) {
    const page = readPage(query);
    const designation = queryText(query, 'designation');
    if (designation && !(FLOW_DESIGNATIONS as readonly string[]).includes(designation)) {
      throw new BadRequestException({ designation: [`Choose one of: ${FLOW_DESIGNATIONS.join(', ')}.`] });
    }
    const [rows, count] = await this.flows.searchFlows({
      offset: page.offset,
      limit: page.pageSize,
      designation,
      search: queryText(query, 'search'),
    });
    return paginated(
      page,
      count,
      rows.map((flow) => this.present(flow)),
    );
  }

  protected async find(slug: string): Promise<Flow> {
    // A string that cannot be a slug cannot name a flow: 404 without asking the database.
    const flow = isFlowSlug(slug) ? await this.flows.findBySlug(slug) : null;
    if (!flow) throw notFound();
    return flow;
  }

  protected async insert(body: unknown): Promise<string> {
    const fields = orBadRequest(validateFlowInput(body, false)) as FlowFields;
    await this.ensureSlugFree(fields.slug);
    return (await rejectingViolations(() => this.flows.createFlow(fields))).slug;
  }

  protected async change(flow: Flow, body: unknown, partial: boolean): Promise<string> {
    const fields = orBadRequest(validateFlowInput(body, partial));
    if (fields.slug !== undefined && fields.slug !== flow.slug) await this.ensureSlugFree(fields.slug);
    await rejectingViolations(() => this.flows.updateFlow(flow, fields));
    return fields.slug ?? flow.slug;
  }

  protected erase(flow: Flow): Promise<void> {
    return this.flows.deleteFlowAndReferences(flow);
  }

  protected present(flow: Flow) {
    return { pk: flow.flowUuid, slug: flow.slug, name: flow.name, title: flow.title, designation: flow.designation };
  }

  protected describe(flow: Flow): ModelRef {
    return { app: 'flows', model_name: 'flow', pk: flow.flowUuid, name: flow.slug };
  }

  private async ensureSlugFree(slug: string): Promise<void> {
    if (await this.flows.findBySlug(slug))
      throw new BadRequestException({ slug: ['A flow with this slug already exists.'] });
  }
}
