import { FlowsSchema1764200001000 } from './persistence/migrations/1764200001000-FlowsSchema.js';
import { LoginAttempts1764300001000 } from './persistence/migrations/1764300001000-LoginAttempts.js';
import { FLOWS_ENTITY_CLASSES } from './flows.module.js';

export { FlowExecutorService, type Challenge } from './executor/flow-executor.service.js';
export { safeNextPath } from './executor/safe-next.js';
export {
  withErrors,
  type StageContext,
  type StageHandler,
  type StageOutcome,
} from './executor/stage-handler.interface.js';
export { FlowStageHandler, StageHandlerRegistry } from './executor/stage-handler.registry.js';
export { DEFAULT_FLOWS_OPTIONS, FLOWS_OPTIONS, type FlowsOptions } from './flows-options.js';
export { FLOWS_ENTITY_CLASSES, FlowsModule } from './flows.module.js';
export {
  ConstraintViolation,
  constraintViolationOf,
  containsPattern,
  translatingViolations,
} from './persistence/constraint-violation.js';
export { FlowExecution } from './persistence/flow-execution.entity.js';
export { FlowExecutionRepository } from './persistence/flow-execution.repository.js';
export { FlowStageBinding } from './persistence/flow-stage-binding.entity.js';
export { Flow, FLOW_DESIGNATIONS, type FlowDesignation } from './persistence/flow.entity.js';
export {
  FlowRepository,
  type BindingFields,
  type BindingQuery,
  type FlowFields,
  type FlowQuery,
} from './persistence/flow.repository.js';
export {
  IdentificationStage,
  PasswordStage,
  PromptStage,
  UserWriteStage,
  type PromptField,
} from './persistence/stage-settings.entities.js';
export {
  StageSettingsRepository,
  type SettingsEntity,
  type StageQuery,
  type TypedStage,
} from './persistence/stage-settings.repository.js';
export { LoginAttemptRepository, type Reservation } from './throttle/login-attempt.repository.js';
export {
  DEFAULT_LOGIN_THROTTLE,
  isOverLimit,
  retryAfterSeconds,
  throttleUsernameKey,
  type AttemptCounts,
  type LoginThrottleLimits,
} from './throttle/login-throttle.js';
export { SignInThrottledException } from './throttle/sign-in-throttled.exception.js';

/** Entities of @idp/flows, for the host app's data source. */
export const FLOWS_ENTITIES = FLOWS_ENTITY_CLASSES;
/** Migrations of @idp/flows (they need @idp/core's tables). */
export const FLOWS_MIGRATIONS = [FlowsSchema1764200001000, LoginAttempts1764300001000];
