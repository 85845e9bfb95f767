import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { UserLoginStage } from './user-login-stage.entity.js';

/**
 * Reads user_login_stages (with their common `stages` row). Writes go through the host's typed
 * stage path (`StageSettingsRepository` of @idp/flows), like every other stage type.
 */
@Injectable()
export class UserLoginStageRepository {
  constructor(@InjectRepository(UserLoginStage) private readonly stages: Repository<UserLoginStage>) {}

  findByUuid(stageUuid: string): Promise<UserLoginStage | null> {
    return this.stages.findOneBy({ stageUuid });
  }

  /** A host app that signs users in outside flows picks its stage by name. */
  findByName(name: string): Promise<UserLoginStage | null> {
    return this.stages.findOne({ where: { stage: { name } } });
  }
}
