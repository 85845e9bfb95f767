import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { FlowExecution } from './flow-execution.entity.js';

/** Queries on flow state. */
@Injectable()
export class FlowExecutionRepository {
  constructor(@InjectRepository(FlowExecution) private readonly executions: Repository<FlowExecution>) {}

  findActive(tokenHash: string, now: Date): Promise<FlowExecution | null> {
    return this.executions.createQueryBuilder('x').where('x.token_hash = :tokenHash', { tokenHash }).andWhere('x.expires > :now', { now }).getOne();
  }

  save(execution: FlowExecution): Promise<FlowExecution> {
    return this.executions.save(execution);
  }

  async delete(tokenHash: string): Promise<void> {
    await this.executions.delete({ tokenHash });
  }

  async deleteExpired(now: Date): Promise<number> {
    return (await this.executions.delete({ expires: LessThan(now) })).affected ?? 0;
  }
}
