import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { FlowExecution } from './flow-execution.entity.js';

/** Queries on flow state. */
@Injectable()
export class FlowExecutionRepository {
  constructor(@InjectRepository(FlowExecution) private readonly executions: Repository<FlowExecution>) {}

  findActive(tokenHash: string, now: Date): Promise<FlowExecution | null> {
    return this.executions
      .createQueryBuilder('x')
      .where('x.token_hash = :tokenHash', { tokenHash })
      .andWhere('x.expires > :now', { now })
      .getOne();
  }

  save(execution: FlowExecution): Promise<FlowExecution> {
    return this.executions.save(execution);
  }

  async delete(tokenHash: string): Promise<void> {
    await this.executions.delete({ tokenHash });
  }

  /** Deletes up to `batchSize` abandoned flow states; rows another transaction holds are skipped. */
  async deleteExpired(now: Date, batchSize: number): Promise<number> {
    const result = await this.executions.query(
      `DELETE FROM flow_executions WHERE token_hash IN (
         SELECT token_hash FROM flow_executions WHERE expires <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [now, batchSize],
    );
    // pg answers a DELETE through TypeORM as [rows, count].
    return result[1] ?? 0;
  }
}
