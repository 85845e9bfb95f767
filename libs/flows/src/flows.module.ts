import { Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FlowExecutorController } from './executor/flow-executor.controller.js';
import { FlowExecutorService } from './executor/flow-executor.service.js';
import { StageHandlerRegistry } from './executor/stage-handler.registry.js';
import { DEFAULT_FLOWS_OPTIONS, FLOWS_OPTIONS, type FlowsOptions } from './flows-options.js';
import { FlowExecution } from './persistence/flow-execution.entity.js';
import { FlowExecutionRepository } from './persistence/flow-execution.repository.js';
import { FlowStageBinding } from './persistence/flow-stage-binding.entity.js';
import { Flow } from './persistence/flow.entity.js';
import { FlowRepository } from './persistence/flow.repository.js';
import {
  IdentificationStage,
  PasswordStage,
  PromptStage,
  UserWriteStage,
} from './persistence/stage-settings.entities.js';
import { StageSettingsRepository } from './persistence/stage-settings.repository.js';
import { IdentificationStageHandler } from './stages/identification.stage.js';
import { PasswordStageHandler } from './stages/password.stage.js';
import { PromptStageHandler } from './stages/prompt.stage.js';
import { UserWriteStageHandler } from './stages/user-write.stage.js';
import { LoginAttemptRepository } from './throttle/login-attempt.repository.js';

export const FLOWS_ENTITY_CLASSES = [
  Flow,
  FlowStageBinding,
  FlowExecution,
  IdentificationStage,
  PasswordStage,
  PromptStage,
  UserWriteStage,
];

/** Flows, the executor API and the generic stages (identification, password, prompt, user_write). */
@Module({})
export class FlowsModule {
  static forRoot(options: Partial<FlowsOptions> = {}): DynamicModule {
    return {
      module: FlowsModule,
      global: true,
      imports: [DiscoveryModule, TypeOrmModule.forFeature(FLOWS_ENTITY_CLASSES)],
      controllers: [FlowExecutorController],
      providers: [
        { provide: FLOWS_OPTIONS, useValue: { ...DEFAULT_FLOWS_OPTIONS, ...options } },
        StageHandlerRegistry,
        FlowRepository,
        FlowExecutionRepository,
        StageSettingsRepository,
        FlowExecutorService,
        IdentificationStageHandler,
        PasswordStageHandler,
        PromptStageHandler,
        UserWriteStageHandler,
        LoginAttemptRepository,
      ],
      exports: [
        LoginAttemptRepository,
        StageHandlerRegistry,
        FlowRepository,
        FlowExecutionRepository,
        StageSettingsRepository,
        FLOWS_OPTIONS,
        TypeOrmModule,
      ],
    };
  }
}
