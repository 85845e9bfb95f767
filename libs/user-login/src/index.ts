// The public API of @idp/user-login. Each name here is a promise to host apps: add one only when
// a host needs it, and keep repositories, caches and other internals out (a host reaches them
// through the services below).
import { Devices1764300004000 } from './persistence/migrations/1764300004000-Devices.js';
import { SessionChangeNotifications1764300003000 } from './persistence/migrations/1764300003000-SessionChangeNotifications.js';
import { StageBindingOptions1764300002000 } from './persistence/migrations/1764300002000-StageBindingOptions.js';
import { UserLoginSchema1764200002000 } from './persistence/migrations/1764200002000-UserLoginSchema.js';
import { Device } from './persistence/device.entity.js';
import { SessionDeviceBinding } from './persistence/session-device-binding.entity.js';
import { Session } from './persistence/session.entity.js';
import { UserLoginStage } from './persistence/user-login-stage.entity.js';

// The module and its options.
export { UserLoginModule } from './user-login.module.js';
export {
  USER_LOGIN_OPTIONS,
  type ResolvedUserLoginOptions,
  type UserLoginModuleOptions,
} from './user-login-options.interface.js';

// Signing in, checking and ending sessions.
export { UserLoginStageService, type LoginRequest, type LoginResult } from './user-login-stage.service.js';
export { SessionBindingGuard, Public } from './session-binding.guard.js';
export { CurrentSession } from './current-session.decorator.js';
export { SessionAuthService } from './session-auth.service.js';
export { SessionLogoutService } from './session-logout.service.js';
export { TerminateSessionsService, type Revoker, type SessionEnding } from './terminate-sessions.service.js';
export { SessionsService, type SessionWhereabouts } from './sessions.service.js';
export { RememberedDeviceService } from './devices/remembered-device.service.js';
export type { ActiveSession, SessionFilter } from './persistence/session.repository.js';
export { SESSION_ORDERINGS } from './persistence/session.repository.js';

// What a failed session check throws.
export { NotAuthenticatedException, SessionBindingBrokenException } from './session-binding.exception.js';
export { DeviceProofRequiredException } from './devices/device-proof.exception.js';

// Hearing about sessions: ended ones (hooks), binding checks and logins (observers).
export {
  SessionTerminationHooks,
  type SessionTerminated,
  type SessionTerminatedListener,
  type TerminationReason,
} from './session-termination.events.js';
export {
  UserLoginObservers,
  type BindingBreak,
  type BindingCheckResult,
  type LoginOutcome,
  type UserLoginObserver,
} from './user-login.observers.js';

// The stage's settings: durations, binding levels and policies, limits, devices.
export {
  DurationFormatError,
  parseDuration,
  validateIdleTimeout,
  validateRememberMeOffset,
  validateSessionDuration,
  type DurationErrorReason,
} from './domain/duration.js';
export { sessionLifetime, type SessionLifetime, type SessionLifetimeInput } from './domain/session-lifetime.js';
export {
  BINDING_REASONS,
  GEOIP_BINDINGS,
  NETWORK_BINDINGS,
  bindingRequiresAsn,
  bindingRequiresCity,
  type BindingReason,
  type GeoIpBinding,
  type NetworkBinding,
} from './domain/session-binding.js';
export {
  BINDING_MODES,
  MISSING_RECORD_POLICIES,
  parseExemptCidrs,
  type BindingMode,
  type MissingRecordPolicy,
} from './domain/binding-policy.js';
export { LIMIT_POLICIES, MAX_SESSIONS_LIMIT, type LimitPolicy } from './domain/session-limit.js';
export { DEVICE_BOUND_SESSIONS, validateRememberDevice, type DeviceBoundSessions } from './domain/device-settings.js';

// Entities and migrations, for the host app's TypeORM data source.
export { Device, Session, SessionDeviceBinding, UserLoginStage };

/** Entities of @idp/user-login, for the host app's TypeORM data source. */
export const USER_LOGIN_ENTITIES = [Session, UserLoginStage, Device, SessionDeviceBinding];
/** Migrations of @idp/user-login (they need @idp/core's tables). */
export const USER_LOGIN_MIGRATIONS = [
  UserLoginSchema1764200002000,
  StageBindingOptions1764300002000,
  SessionChangeNotifications1764300003000,
  Devices1764300004000,
];
