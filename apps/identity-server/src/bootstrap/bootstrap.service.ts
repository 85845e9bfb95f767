import { ApiTokenService, hashPassword, UserRepository } from '@idp/core';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG } from '../config/app-config.token.js';
import type { AppConfig } from '../config/app-config.js';
import { DEFAULT_FLOWS, type DefaultFlow } from './default-flows.js';

const ADMIN_USERNAME = 'akadmin';

/**
 * First-start set-up: the default flows and, when asked for, the `akadmin` superuser and its
 * API token. Existing rows are never changed, so an operator's edits survive restarts.
 */
@Injectable()
export class BootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger(BootstrapService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UserRepository,
    private readonly tokens: ApiTokenService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const flow of DEFAULT_FLOWS) await this.ensureFlow(flow);
    await this.ensureAdmin();
  }

  private async ensureAdmin(): Promise<void> {
    const { password, email, token } = this.config.bootstrap;
    let admin = await this.users.findByUsername(ADMIN_USERNAME);
    if (!admin && password) {
      admin = await this.users.create({
        username: ADMIN_USERNAME,
        name: 'authentik Default Admin',
        email: email ?? '',
        password: await hashPassword(password),
        isSuperuser: true,
        isActive: true,
      });
      this.logger.log(`Created superuser ${ADMIN_USERNAME}`);
    }
    if (admin && token && !(await this.tokens.exists('bootstrap-token'))) {
      await this.tokens.create('bootstrap-token', token, admin);
      this.logger.log('Created the bootstrap API token');
    }
  }

  private async ensureFlow(flow: DefaultFlow): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      // Serialises first starts of several replicas against one database.
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['idp-bootstrap-flows']);
      const exists = await manager.query('SELECT 1 FROM flows WHERE slug = $1', [flow.slug]);
      if (exists.length > 0) return;
      const [created] = await manager.query(
        'INSERT INTO flows (slug, name, title, designation) VALUES ($1, $2, $3, $4) RETURNING flow_uuid',
        [flow.slug, flow.name, flow.title, flow.designation],
      );
      for (const [index, stage] of flow.stages.entries()) {
        const stageUuid = await this.ensureStage(manager, stage);
        await manager.query('INSERT INTO flow_stage_bindings (flow_uuid, stage_uuid, "order") VALUES ($1, $2, $3)', [
          created.flow_uuid,
          stageUuid,
          (index + 1) * 10,
        ]);
      }
      this.logger.log(`Created flow ${flow.slug}`);
    });
  }

  private async ensureStage(manager: EntityManager, stage: DefaultFlow['stages'][number]): Promise<string> {
    const found = await manager.query('SELECT stage_uuid FROM stages WHERE name = $1', [stage.name]);
    if (found.length > 0) return found[0].stage_uuid;
    const [row] = await manager.query('INSERT INTO stages (name, type) VALUES ($1, $2) RETURNING stage_uuid', [
      stage.name,
      stage.type,
    ]);
    if (stage.settings) {
      const columns = ['stage_uuid', ...Object.keys(stage.settings.values)];
      const params = [row.stage_uuid, ...Object.values(stage.settings.values)];
      const placeholders = params.map((_, i) => `$${i + 1}`).join(', ');
      await manager.query(
        `INSERT INTO ${stage.settings.table} (${columns.join(', ')}) VALUES (${placeholders})`,
        params,
      );
    }
    return row.stage_uuid;
  }
}
