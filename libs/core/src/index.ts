export * from './clock.js';
export * from './core-options.js';
export * from './core.module.js';
export * from './database/database-unavailable.js';
export * from './database/database-url.js';
export * from './database/sql-integers.js';
export * from './database/embedded-postgres.js';
export * from './events/event.entity.js';
export * from './events/event.repository.js';
export * from './events/event.service.js';
export * from './geoip/index.js';
export * from './http/client-ip.js';
export * from './http/cookies.js';
export * from './http/http-types.js';
export * from './http/request-context.js';
export * from './migrations/1764200000000-CoreSchema.js';
export * from './stages/stage.entity.js';
export * from './stages/stage.repository.js';
export * from './tokens/api-token.entity.js';
export * from './tokens/api-token.service.js';
export * from './tokens/token-hash.js';
export * from './users/password-hasher.js';
export * from './users/user.entity.js';
export * from './users/user.repository.js';
export * from './users/user-rules.js';
import { CoreSchema1764200000000 } from './migrations/1764200000000-CoreSchema.js';
import { AuditEvent } from './events/event.entity.js';
import { ApiToken } from './tokens/api-token.entity.js';
import { Stage } from './stages/stage.entity.js';
import { User } from './users/user.entity.js';

/** Entities of @idp/core, for a host app's TypeORM data source. */
export const CORE_ENTITIES = [User, AuditEvent, ApiToken, Stage];
/** Migrations of @idp/core, run in timestamp order with the other libraries' migrations. */
export const CORE_MIGRATIONS = [CoreSchema1764200000000];
