import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, type EntityManager } from 'typeorm';
import { Stage } from './stage.entity.js';

/** Queries on the common stages table. */
@Injectable()
export class StageRepository {
  constructor(@InjectRepository(Stage) private readonly stages: Repository<Stage>) {}

  findByName(name: string): Promise<Stage | null> {
    return this.stages.findOneBy({ name });
  }

  findByUuid(stageUuid: string): Promise<Stage | null> {
    return this.stages.findOneBy({ stageUuid });
  }

  nameTaken(name: string, exceptUuid?: string): Promise<boolean> {
    return this.stages
      .createQueryBuilder('s')
      .where('s.name = :name', { name })
      .andWhere(exceptUuid ? 's.stage_uuid <> :except' : 'true', { except: exceptUuid })
      .getExists();
  }

  /** Inserts the common row inside the caller's transaction, so the typed row goes with it. */
  insert(manager: EntityManager, name: string, type: string): Promise<Stage> {
    return manager.save(Stage, manager.create(Stage, { name, type }));
  }
}
