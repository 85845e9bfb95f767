import { Session } from './persistence/session.entity.js';
import { UserLoginStage } from './persistence/user-login-stage.entity.js';
import { UserLoginSchema1764200002000 } from './persistence/migrations/1764200002000-UserLoginSchema.js';
import { StageBindingOptions1764300002000 } from './persistence/migrations/1764300002000-StageBindingOptions.js';
import { SessionChangeNotifications1764300003000 } from './persistence/migrations/1764300003000-SessionChangeNotifications.js';
import { Devices1764300004000 } from './persistence/migrations/1764300004000-Devices.js';
import { Device } from './persistence/device.entity.js';
import { SessionDeviceBinding } from './persistence/session-device-binding.entity.js';

export * from './current-session.decorator.js';
export { DeviceProofRequiredException } from './devices/device-proof.exception.js';
export {
  DeviceBoundSessionService,
  DBSC_REFRESH_PATH,
  DBSC_REGISTER_PATH,
} from './devices/device-bound-session.service.js';
export { RememberedDeviceService, type DeviceRecognition } from './devices/remembered-device.service.js';
export { DEVICE_COOKIE, BOUND_COOKIE } from './devices/device-cookies.js';
export { Device } from './persistence/device.entity.js';
export { SessionDeviceBinding } from './persistence/session-device-binding.entity.js';
export * from './domain/index.js';
export * from './ip-facts.service.js';
export * from './persistence/session.entity.js';
export * from './persistence/session.repository.js';
export * from './persistence/user-login-stage.entity.js';
export * from './persistence/user-login-stage.repository.js';
export * from './session-auth.service.js';
export * from './session-binding.exception.js';
export * from './session-binding.guard.js';
export * from './session-cache/index.js';
export * from './session-cookie.service.js';
export * from './session-logout.service.js';
export * from './session-termination.events.js';
export * from './terminate-sessions.service.js';
export * from './user-login-options.interface.js';
export * from './user-login-stage.service.js';
export * from './user-login.observers.js';
export { MODULE_OPTIONS_TOKEN as USER_LOGIN_MODULE_OPTIONS } from './user-login.module-definition.js';
export * from './user-login.module.js';

/** Entities of @idp/user-login, for the host app's TypeORM data source. */
export const USER_LOGIN_ENTITIES = [Session, UserLoginStage, Device, SessionDeviceBinding];
/** Migrations of @idp/user-login (they need @idp/core's tables). */
export const USER_LOGIN_MIGRATIONS = [
  UserLoginSchema1764200002000,
  StageBindingOptions1764300002000,
  SessionChangeNotifications1764300003000,
  Devices1764300004000,
];
