export { CLOCK, systemClock, type Clock } from './clock.js';
export { CORE_OPTIONS, DEFAULT_CORE_OPTIONS, type CoreOptions } from './core-options.js';
export { CoreModule } from './core.module.js';
export { isDatabaseUnavailable } from './database/database-unavailable.js';
export { resolveDatabase } from './database/database-url.js';
export { isSqlInteger, MAX_PAGE_LIMIT, pageWindow, SQL_INT_MAX } from './database/sql-integers.js';
export {
  EmbeddedPostgresError,
  startEmbeddedPostgres,
  type EmbeddedPostgresOptions,
  type RunningPostgres,
} from './database/embedded-postgres.js';
export { AuditEvent } from './events/event.entity.js';
export { EventRepository, type EventFilter } from './events/event.repository.js';
export { EventService, type EventRecordedListener, type NewEvent } from './events/event.service.js';
export {
  chooseRecordSize,
  GEOIP_KINDS,
  GeoIpConfigError,
  GeoIpDatabase,
  GeoIpRegionCache,
  GeoIpService,
  MAXMIND_KEY_TYPES,
  mmdb,
  MmdbFormatError,
  MmdbTyped,
  MmdbWriter,
  readMmdbMetadata,
  verifyMmdb,
  type AsnContext,
  type AsnLookup,
  type AsnRecord,
  type CityLookup,
  type CityRecord,
  type GeoCity,
  type GeoContext,
  type GeoContinent,
  type GeoCountry,
  type GeoIpConfigErrorCode,
  type GeoIpDatabaseInfo,
  type GeoIpDatabaseOptions,
  type GeoIpHit,
  type GeoIpKind,
  type GeoIpLogger,
  type GeoIpRegion,
  type GeoIpServiceOptions,
  type GeoLocation,
  type GeoNames,
  type GeoSubdivision,
  type MmdbMetadata,
  type MmdbTypeName,
  type MmdbValue,
  type MmdbWriterOptions,
} from './geoip/index.js';
export { clientIp, DEFAULT_TRUSTED_PROXY_CIDRS, normalizeIp, parseCidrList } from './http/client-ip.js';
export { appendSetCookie, cookieNameInForce, cookieSecure, readCookie, type SetHeader } from './http/cookies.js';
export type { HttpRequestLike, HttpResponseLike } from './http/http-types.js';
export { httpRequestContext, userAgent, type HttpRequestContext } from './http/request-context.js';
export { CoreSchema1764200000000 } from './migrations/1764200000000-CoreSchema.js';
export { UserChangeDates1764300005000 } from './migrations/1764300005000-UserChangeDates.js';
export { Stage } from './stages/stage.entity.js';
export { StageRepository } from './stages/stage.repository.js';
export { ApiToken } from './tokens/api-token.entity.js';
export { ApiTokenService } from './tokens/api-token.service.js';
export { hashToken, newToken } from './tokens/token-hash.js';
export { hashPassword, verifyPassword } from './users/password-hasher.js';
export { toEventUser, toPublicUser, User, type EventUser, type PublicUser } from './users/user.entity.js';
export { UserRepository } from './users/user.repository.js';
export {
  emailProblem,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  passwordStrengthProblem,
  usernameProblem,
  type FieldProblem,
} from './users/user-rules.js';
import { CoreSchema1764200000000 } from './migrations/1764200000000-CoreSchema.js';
import { UserChangeDates1764300005000 } from './migrations/1764300005000-UserChangeDates.js';
import { AuditEvent } from './events/event.entity.js';
import { ApiToken } from './tokens/api-token.entity.js';
import { Stage } from './stages/stage.entity.js';
import { User } from './users/user.entity.js';

/** Entities of @idp/core, for a host app's TypeORM data source. */
export const CORE_ENTITIES = [User, AuditEvent, ApiToken, Stage];
/** Migrations of @idp/core, run in timestamp order with the other libraries' migrations. */
export const CORE_MIGRATIONS = [CoreSchema1764200000000, UserChangeDates1764300005000];
