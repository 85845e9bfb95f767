import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { FlowStageBinding } from './flow-stage-binding.entity.js';
import { Flow, type FlowDesignation } from './flow.entity.js';

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
}
