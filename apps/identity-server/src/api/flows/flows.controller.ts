import { EventService } from '@idp/core';
import { FlowRepository, FLOW_DESIGNATIONS, type Flow, type FlowDesignation, type FlowFields } from '@idp/flows';
import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { AdminApi } from '../common/admin-api.decorator.js';
import { ApiPaginatedResponse } from '../common/api-responses.js';
import { AdminModelController } from '../common/admin-model.controller.js';
import { ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { definedOnly, QueryText, rule } from '../common/dto-rules.js';
import { notFound, rejectingViolations, type ModelRef } from '../common/model-api.js';
import { PageQuery, pageOf, paginated } from '../common/pagination.js';
import { FlowDto, FlowPatchDto, isFlowSlug } from './flow.dto.js';

export class FlowListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: FLOW_DESIGNATIONS })
  @QueryText()
  @rule('designation', (value) =>
    (FLOW_DESIGNATIONS as readonly unknown[]).includes(value)
      ? null
      : `Choose one of: ${FLOW_DESIGNATIONS.join(', ')}.`,
  )
  designation?: FlowDesignation;

  @ApiPropertyOptional({ description: 'Part of the slug, name or title.' })
  @QueryText()
  search?: string;
}

/** `/api/v3/flows/instances/`: flows, looked up by slug as in authentik. */
@Controller('api/v3/flows/instances')
@ApiTags('flows')
@AdminApi()
export class FlowsController extends AdminModelController<Flow, FlowDto, FlowPatchDto>({
  create: FlowDto,
  update: FlowPatchDto,
}) {
  constructor(
    private readonly flows: FlowRepository,
    events: EventService,
  ) {
    super(events);
  }

  @Get()
  @ApiPaginatedResponse(FlowDto)
  async list(@Query() query: FlowListQuery) {
    const page = pageOf(query);
    const [rows, count] = await this.flows.searchFlows({
      offset: page.offset,
      limit: page.pageSize,
      designation: query.designation,
      search: query.search,
    });
    const stages = await this.flows.stagesOfFlows(rows.map((flow) => flow.flowUuid));
    return paginated(
      page,
      count,
      rows.map((flow) => this.show(flow, stages.get(flow.flowUuid) ?? [])),
    );
  }

  protected async find(slug: string): Promise<Flow> {
    // A string that cannot be a slug cannot name a flow: 404 without asking the database.
    const flow = isFlowSlug(slug) ? await this.flows.findBySlug(slug) : null;
    if (!flow) throw notFound();
    return flow;
  }

  protected async insert(body: FlowDto): Promise<string> {
    const fields = flowFields(body) as FlowFields;
    await this.ensureSlugFree(fields.slug);
    return (await rejectingViolations(() => this.flows.createFlow(fields))).slug;
  }

  protected async change(flow: Flow, body: FlowPatchDto): Promise<string> {
    const fields = flowFields(body);
    if (fields.slug !== undefined && fields.slug !== flow.slug) await this.ensureSlugFree(fields.slug);
    await rejectingViolations(() => this.flows.updateFlow(flow, fields));
    return fields.slug ?? flow.slug;
  }

  protected erase(flow: Flow): Promise<void> {
    return this.flows.deleteFlowAndReferences(flow);
  }

  protected async present(flow: Flow) {
    const stages = await this.flows.stagesOfFlows([flow.flowUuid]);
    return this.show(flow, stages.get(flow.flowUuid) ?? []);
  }

  /**
   * A flow with authentik's read-only `Flow` fields: `stages` from the bindings, and honest values
   * for what does not exist here (no policies, cache, backgrounds or export).
   */
  private show(flow: Flow, stages: string[]) {
    return {
      pk: flow.flowUuid,
      policybindingmodel_ptr_id: flow.flowUuid,
      slug: flow.slug,
      name: flow.name,
      title: flow.title,
      designation: flow.designation,
      stages,
      policies: [],
      cache_count: 0,
      background_url: '',
      background_themed_urls: null,
      export_url: '',
    };
  }

  protected describe(flow: Flow): ModelRef {
    return { app: 'flows', model_name: 'flow', pk: flow.flowUuid, name: flow.slug };
  }

  private async ensureSlugFree(slug: string): Promise<void> {
    if (await this.flows.findBySlug(slug))
      throw new BadRequestException({ slug: ['A flow with this slug already exists.'] });
  }
}

/** Entity fields from a flow body: only those sent. */
function flowFields(body: FlowPatchDto): Partial<FlowFields> {
  const { slug, name, title, designation } = body;
  return definedOnly({ slug, name, title, designation });
}
