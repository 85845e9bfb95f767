import { StageRepository } from '@idp/core';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { UserLoginStage } from './user-login-stage.entity.js';

export type UserLoginStageFields = Pick<
  UserLoginStage,
  | 'sessionDuration'
  | 'rememberMeOffset'
  | 'networkBinding'
  | 'geoipBinding'
  | 'terminateOtherSessions'
  | 'bindingMode'
  | 'onMissingRecord'
  | 'bindingExemptCidrs'
  | 'ipv6Prefix'
  | 'sessionIdleTimeout'
  | 'maxSessions'
  | 'onLimit'
>;

/** Queries on user_login_stages (with their common `stages` row). */
@Injectable()
export class UserLoginStageRepository {
  constructor(
    @InjectRepository(UserLoginStage) private readonly stages: Repository<UserLoginStage>,
    private readonly commonStages: StageRepository,
  ) {}

  findByUuid(stageUuid: string): Promise<UserLoginStage | null> {
    return this.stages.findOneBy({ stageUuid });
  }

  findByName(name: string): Promise<UserLoginStage | null> {
    return this.stages.findOne({ where: { stage: { name } } });
  }

  list(offset: number, limit: number, search?: string): Promise<[UserLoginStage[], number]> {
    const query = this.stages
      .createQueryBuilder('l')
      .innerJoinAndSelect('l.stage', 's')
      .orderBy('s.name', 'ASC')
      .skip(offset)
      .take(limit);
    if (search) query.where('s.name ILIKE :q', { q: `%${search}%` });
    return query.getManyAndCount();
  }

  /** Creates the common row and the typed row in one transaction: never one without the other. */
  create(name: string, fields: UserLoginStageFields): Promise<UserLoginStage> {
    return this.stages.manager.transaction(async (manager) => {
      const stage = await this.commonStages.insert(manager, name, 'user_login');
      return manager.save(
        UserLoginStage,
        manager.create(UserLoginStage, { stageUuid: stage.stageUuid, stage, ...fields }),
      );
    });
  }

  async update(stageUuid: string, name: string | undefined, fields: Partial<UserLoginStageFields>): Promise<void> {
    await this.stages.manager.transaction(async (manager) => {
      if (name !== undefined) await manager.update('stages', { stageUuid }, { name });
      if (Object.keys(fields).length > 0) await manager.update(UserLoginStage, { stageUuid }, fields);
    });
  }

  /** Deleting the common row cascades to the typed row. */
  async delete(stageUuid: string): Promise<boolean> {
    const result = await this.stages.manager.delete('stages', { stageUuid });
    return (result.affected ?? 0) > 0;
  }
}
