import { Stage, StageRepository, pageWindow } from '@idp/core';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository, type EntityManager, type ObjectLiteral } from 'typeorm';
import { containsPattern, translatingViolations } from './constraint-violation.js';

/** A settings entity class keyed by `stageUuid` (e.g. PasswordStage), or null for a type without settings. */
export type SettingsEntity<T extends ObjectLiteral> = (new () => T) | null;

/** A stage's common row with its typed settings row (null when the type has none, or it is missing). */
export interface TypedStage<T> {
  stage: Stage;
  settings: T | null;
}

/** What the admin API may filter the common stages list by. */
export interface StageQuery {
  offset: number;
  limit: number;
  type?: string;
  search?: string;
}

/**
 * Queries on a stage's common `stages` row together with its typed settings row. Every write
 * touches both in one transaction, so there is never one without the other.
 */
@Injectable()
export class StageSettingsRepository {
  constructor(
    @InjectRepository(Stage) private readonly stages: Repository<Stage>,
    private readonly commonStages: StageRepository,
  ) {}

  /** Stages of every type by name, for `/api/v3/stages/all/`. */
  listStages(query: StageQuery): Promise<[Stage[], number]> {
    const builder = this.stages
      .createQueryBuilder('s')
      .orderBy('s.name', 'ASC')
      .skip(pageWindow({ offset: query.offset, limit: query.limit }).offset)
      .take(query.limit);
    if (query.type) builder.andWhere('s.type = :type', { type: query.type });
    if (query.search) builder.andWhere('s.name ILIKE :q', { q: containsPattern(query.search) });
    return builder.getManyAndCount();
  }

  /** Deleting the common row cascades to the typed row and to the stage's flow bindings. */
  async deleteStage(stageUuid: string): Promise<boolean> {
    return ((await this.stages.delete({ stageUuid })).affected ?? 0) > 0;
  }

  /** One stage of `type` with its settings, or null when there is no such stage of that type. */
  async findTyped<T extends ObjectLiteral>(
    entity: SettingsEntity<T>,
    type: string,
    stageUuid: string,
  ): Promise<TypedStage<T> | null> {
    const stage = await this.stages.findOneBy({ stageUuid, type });
    if (!stage) return null;
    const settings = entity ? await rowsOf(this.stages.manager, entity).findOneBy({ stageUuid }) : null;
    return { stage, settings: settings as T | null };
  }

  /** A page of the stages of `type` by name, each with its settings. */
  async listTyped<T extends ObjectLiteral>(
    entity: SettingsEntity<T>,
    query: StageQuery & { type: string },
  ): Promise<[TypedStage<T>[], number]> {
    const [stages, count] = await this.listStages(query);
    const rows =
      entity && stages.length > 0
        ? await rowsOf(this.stages.manager, entity).findBy({ stageUuid: In(stages.map((s) => s.stageUuid)) })
        : [];
    const byUuid = new Map(rows.map((row) => [row.stageUuid as string, row]));
    return [
      stages.map((stage) => ({ stage, settings: (byUuid.get(stage.stageUuid) as T | undefined) ?? null })),
      count,
    ];
  }

  /** Creates the common row and the settings row together; a name taken meanwhile is a ConstraintViolation. */
  createTyped<T extends ObjectLiteral>(
    entity: SettingsEntity<T>,
    type: string,
    name: string,
    fields: Partial<T>,
  ): Promise<string> {
    return translatingViolations(() =>
      this.stages.manager.transaction(async (manager) => {
        const stage = await this.commonStages.insert(manager, name, type);
        if (entity) await rowsOf(manager, entity).save({ ...fields, stageUuid: stage.stageUuid });
        return stage.stageUuid;
      }),
    );
  }

  /** Renames and/or changes settings together; a missing settings row is created with defaults plus `fields`. */
  async updateTyped<T extends ObjectLiteral>(
    entity: SettingsEntity<T>,
    stageUuid: string,
    name: string | undefined,
    fields: Partial<T>,
  ): Promise<void> {
    await translatingViolations(() =>
      this.stages.manager.transaction(async (manager) => {
        if (name !== undefined) await manager.update(Stage, { stageUuid }, { name });
        if (entity) await rowsOf(manager, entity).save({ ...fields, stageUuid });
      }),
    );
  }
}

/** The settings table as untyped rows: every settings entity is keyed by `stageUuid`. */
function rowsOf(manager: EntityManager, entity: new () => ObjectLiteral): Repository<ObjectLiteral> {
  return manager.getRepository(entity);
}
