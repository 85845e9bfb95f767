import { pageWindow } from '@idp/core';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { containsPattern, translatingViolations } from './constraint-violation.js';
import { FlowStageBinding } from './flow-stage-binding.entity.js';
import { Flow, type FlowDesignation } from './flow.entity.js';
import { IdentificationStage } from './stage-settings.entities.js';

/** What the admin API may filter flows by. */
export interface FlowQuery {
  offset: number;
  limit: number;
  designation?: string;
  /** Matched anywhere in slug, name or title, case-insensitively. */
  search?: string;
}

/** What the admin API may filter stage bindings by. */
export interface BindingQuery {
  offset: number;
  limit: number;
  flowUuid?: string;
  descending?: boolean;
}

export type FlowFields = Pick<Flow, 'slug' | 'name' | 'title' | 'designation'>;
export type BindingFields = Pick<FlowStageBinding, 'flowUuid' | 'stageUuid' | 'order'>;

/** Queries on flows and their stage bindings. */
@Injectable()
export class FlowRepository {
  constructor(
    @InjectRepository(Flow) private readonly flows: Repository<Flow>,
    @InjectRepository(FlowStageBinding) private readonly bindings: Repository<FlowStageBinding>,
  ) {}

  findBySlug(slug: string): Promise<Flow | null> {
    return this.flows.findOneBy({ slug });
  }

  findByUuid(flowUuid: string): Promise<Flow | null> {
    return this.flows.findOneBy({ flowUuid });
  }

  /** The first flow with this designation, by slug; default flows are found this way. */
  findByDesignation(designation: FlowDesignation): Promise<Flow | null> {
    return this.flows.findOne({ where: { designation }, order: { slug: 'ASC' } });
  }

  /** The flow's stages in order. */
  bindingsOf(flowUuid: string): Promise<FlowStageBinding[]> {
    return this.bindings.find({ where: { flowUuid }, order: { order: 'ASC' } });
  }

  /**
   * The flows each stage is bound in (authentik's `flow_set` of a stage), by slug; a stage bound
   * twice in one flow lists it once. Stages bound nowhere are absent from the map.
   */
  async flowsOfStages(stageUuids: string[]): Promise<Map<string, Flow[]>> {
    const byStage = new Map<string, Flow[]>();
    if (stageUuids.length === 0) return byStage;
    const rows = await this.bindings
      .createQueryBuilder('b')
      .innerJoinAndSelect('b.flow', 'f')
      .where('b.stage_uuid IN (:...stageUuids)', { stageUuids })
      .orderBy('f.slug', 'ASC')
      .getMany();
    for (const { stageUuid, flow } of rows) {
      const flows = byStage.get(stageUuid) ?? [];
      if (!flows.some((known) => known.flowUuid === flow.flowUuid)) flows.push(flow);
      byStage.set(stageUuid, flows);
    }
    return byStage;
  }

  /** The stages each flow runs, in order (authentik's `stages` of a flow); flows with none are absent. */
  async stagesOfFlows(flowUuids: string[]): Promise<Map<string, string[]>> {
    const byFlow = new Map<string, string[]>();
    if (flowUuids.length === 0) return byFlow;
    const rows = await this.bindings.find({ where: { flowUuid: In(flowUuids) }, order: { order: 'ASC' } });
    for (const { flowUuid, stageUuid } of rows) byFlow.set(flowUuid, [...(byFlow.get(flowUuid) ?? []), stageUuid]);
    return byFlow;
  }

  listFlows(offset: number, limit: number): Promise<[Flow[], number]> {
    return this.flows.findAndCount({ order: { slug: 'ASC' }, skip: offset, take: limit });
  }

  saveFlow(flow: Partial<Flow>): Promise<Flow> {
    return this.flows.save(this.flows.create(flow));
  }

  async deleteFlow(flowUuid: string): Promise<boolean> {
    return ((await this.flows.delete({ flowUuid })).affected ?? 0) > 0;
  }

  listBindings(offset: number, limit: number, flowUuid?: string): Promise<[FlowStageBinding[], number]> {
    return this.bindings.findAndCount({
      where: flowUuid ? { flowUuid } : {},
      order: { flowUuid: 'ASC', order: 'ASC' },
      skip: offset,
      take: limit,
    });
  }

  findBinding(bindingUuid: string): Promise<FlowStageBinding | null> {
    return this.bindings.findOneBy({ bindingUuid });
  }

  saveBinding(binding: Partial<FlowStageBinding>): Promise<FlowStageBinding> {
    return this.bindings.save(this.bindings.create(binding));
  }

  async deleteBinding(bindingUuid: string): Promise<boolean> {
    return ((await this.bindings.delete({ bindingUuid })).affected ?? 0) > 0;
  }

  /** Flows by slug, filtered for the admin API. */
  searchFlows(query: FlowQuery): Promise<[Flow[], number]> {
    const builder = this.flows
      .createQueryBuilder('f')
      .orderBy('f.slug', 'ASC')
      .skip(pageWindow({ offset: query.offset, limit: query.limit }).offset)
      .take(query.limit);
    if (query.designation) builder.andWhere('f.designation = :designation', { designation: query.designation });
    if (query.search) {
      builder.andWhere('(f.slug ILIKE :q OR f.name ILIKE :q OR f.title ILIKE :q)', {
        q: containsPattern(query.search),
      });
    }
    return builder.getManyAndCount();
  }

  /** Inserts a flow; a slug taken meanwhile surfaces as a ConstraintViolation. */
  createFlow(fields: FlowFields): Promise<Flow> {
    return translatingViolations(() => this.saveFlow(fields));
  }

  /**
   * Changes a flow; identification stages that offer it for enrollment follow a new slug in the
   * same transaction, so their "Sign up" link keeps working.
   */
  async updateFlow(flow: Flow, fields: Partial<FlowFields>): Promise<void> {
    if (Object.keys(fields).length === 0) return;
    await translatingViolations(() =>
      this.flows.manager.transaction(async (manager) => {
        await manager.update(Flow, { flowUuid: flow.flowUuid }, fields);
        if (fields.slug !== undefined && fields.slug !== flow.slug) {
          await manager.update(
            IdentificationStage,
            { enrollmentFlowSlug: flow.slug },
            { enrollmentFlowSlug: fields.slug },
          );
        }
      }),
    );
  }

  /** Deletes a flow (its bindings and flow states cascade) and unlinks it from identification stages. */
  async deleteFlowAndReferences(flow: Flow): Promise<void> {
    await this.flows.manager.transaction(async (manager) => {
      await manager.update(IdentificationStage, { enrollmentFlowSlug: flow.slug }, { enrollmentFlowSlug: null });
      await manager.delete(Flow, { flowUuid: flow.flowUuid });
    });
  }

  /** Bindings by flow and order, filtered for the admin API. */
  searchBindings(query: BindingQuery): Promise<[FlowStageBinding[], number]> {
    const direction = query.descending ? 'DESC' : 'ASC';
    const builder = this.bindings
      .createQueryBuilder('b')
      .innerJoinAndSelect('b.stage', 's')
      .orderBy('b.flowUuid', 'ASC')
      .addOrderBy('b.order', direction)
      .skip(pageWindow({ offset: query.offset, limit: query.limit }).offset)
      .take(query.limit);
    if (query.flowUuid) builder.where('b.flowUuid = :flowUuid', { flowUuid: query.flowUuid });
    return builder.getManyAndCount();
  }

  /** Inserts a binding; a taken order or a vanished flow/stage surfaces as a ConstraintViolation. */
  async createBinding(fields: BindingFields): Promise<string> {
    return (await translatingViolations(() => this.saveBinding(fields))).bindingUuid;
  }

  /** Changes a binding, with the same ConstraintViolation as {@link createBinding}. */
  async updateBinding(bindingUuid: string, fields: Partial<BindingFields>): Promise<void> {
    if (Object.keys(fields).length === 0) return;
    await translatingViolations(() => this.bindings.update({ bindingUuid }, fields));
  }

  /** Whether the flow already binds a stage at `order` (other than `exceptUuid`). */
  orderTaken(flowUuid: string, order: number, exceptUuid?: string): Promise<boolean> {
    return this.bindings
      .createQueryBuilder('b')
      .where('b.flowUuid = :flowUuid AND b.order = :order', { flowUuid, order })
      .andWhere(exceptUuid ? 'b.bindingUuid <> :except' : 'true', { except: exceptUuid })
      .getExists();
  }
}
