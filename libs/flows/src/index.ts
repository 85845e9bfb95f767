import { FlowsSchema1764200001000 } from './persistence/migrations/1764200001000-FlowsSchema.js';
import { LoginAttempts1764300001000 } from './persistence/migrations/1764300001000-LoginAttempts.js';
import { FLOWS_ENTITY_CLASSES } from './flows.module.js';

export * from './executor/flow-executor.service.js';
export * from './executor/safe-next.js';
export * from './executor/stage-handler.interface.js';
export * from './executor/stage-handler.registry.js';
export * from './flows-options.js';
export * from './flows.module.js';
export * from './persistence/constraint-violation.js';
export * from './persistence/flow-execution.entity.js';
export * from './persistence/flow-execution.repository.js';
export * from './persistence/flow-stage-binding.entity.js';
export * from './persistence/flow.entity.js';
export * from './persistence/flow.repository.js';
export * from './persistence/stage-settings.entities.js';
export * from './persistence/stage-settings.repository.js';
export * from './throttle/login-attempt.repository.js';
export * from './throttle/login-throttle.js';
export * from './throttle/sign-in-throttled.exception.js';

/** Entities of @idp/flows, for the host app's data source. */
export const FLOWS_ENTITIES = FLOWS_ENTITY_CLASSES;
/** Migrations of @idp/flows (they need @idp/core's tables). */
export const FLOWS_MIGRATIONS = [FlowsSchema1764200001000, LoginAttempts1764300001000];
