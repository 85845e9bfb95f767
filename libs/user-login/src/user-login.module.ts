import { GeoIpService } from '@idp/core';
import { Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DbscController } from './devices/dbsc.controller.js';
import { DeviceBoundSessionService } from './devices/device-bound-session.service.js';
import { RememberedDeviceService } from './devices/remembered-device.service.js';
import { geoIpProvider } from './geoip.provider.js';
import { Device } from './persistence/device.entity.js';
import { DeviceRepository } from './persistence/device.repository.js';
import { SessionDeviceBinding } from './persistence/session-device-binding.entity.js';
import { SessionDeviceBindingRepository } from './persistence/session-device-binding.repository.js';
import { IpFactsService } from './ip-facts.service.js';
import { Session } from './persistence/session.entity.js';
import { SessionRepository } from './persistence/session.repository.js';
import { UserLoginStage } from './persistence/user-login-stage.entity.js';
import { UserLoginStageRepository } from './persistence/user-login-stage.repository.js';
import { SessionAuthService } from './session-auth.service.js';
import { SessionBindingBrokenFilter } from './session-binding.filter.js';
import { SessionBindingGuard } from './session-binding.guard.js';
import { SessionActivityWriter } from './session-cache/session-activity.writer.js';
import { SessionCache } from './session-cache/session-cache.js';
import { SessionInvalidationListener } from './session-cache/session-invalidation.listener.js';
import { SessionLookup } from './session-cache/session-lookup.js';
import { SessionCookieService } from './session-cookie.service.js';
import { SessionLogoutService } from './session-logout.service.js';
import { SessionsService } from './sessions.service.js';
import { SessionTerminationHooks } from './session-termination.events.js';
import { TerminateSessionsService } from './terminate-sessions.service.js';
import { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN } from './user-login.module-definition.js';
import {
  resolveUserLoginOptions,
  USER_LOGIN_OPTIONS,
  type UserLoginModuleOptions,
} from './user-login-options.interface.js';
import { UserLoginStageService } from './user-login-stage.service.js';
import { UserLoginObservers } from './user-login.observers.js';

/** Defaults merged into whatever `forRoot` or `forRootAsync` produced. */
export const resolvedOptionsProvider = {
  provide: USER_LOGIN_OPTIONS,
  inject: [MODULE_OPTIONS_TOKEN],
  useFactory: (options: UserLoginModuleOptions) => resolveUserLoginOptions(options),
};

/** One session cache per module instance, sized by the options. */
export const sessionCacheProvider = {
  provide: SessionCache,
  inject: [USER_LOGIN_OPTIONS],
  useFactory: (options: ReturnType<typeof resolveUserLoginOptions>) => new SessionCache(options.sessionCacheMaxEntries),
};

// What a host app may inject: the services of the public API (index.ts). GeoIpService is the
// instance this module opened with its options, exported so the host reads the same databases.
const exported = [
  UserLoginStageService,
  SessionBindingGuard,
  SessionAuthService,
  SessionLogoutService,
  TerminateSessionsService,
  SessionsService,
  SessionTerminationHooks,
  UserLoginObservers,
  RememberedDeviceService,
  GeoIpService,
  USER_LOGIN_OPTIONS,
];

/**
 * The User Login stage as a Nest module: sessions in Postgres, the "Stay signed in?" prompt,
 * network/GeoIP session binding and termination of other sessions. Needs `CoreModule` and a
 * TypeORM connection whose entities and migrations include {@link USER_LOGIN_ENTITIES} and
 * {@link USER_LOGIN_MIGRATIONS}.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Session, UserLoginStage, Device, SessionDeviceBinding])],
  controllers: [DbscController],
  providers: [
    DeviceRepository,
    SessionDeviceBindingRepository,
    RememberedDeviceService,
    DeviceBoundSessionService,
    resolvedOptionsProvider,
    geoIpProvider,
    IpFactsService,
    SessionRepository,
    UserLoginStageRepository,
    sessionCacheProvider,
    SessionInvalidationListener,
    SessionLookup,
    SessionActivityWriter,
    SessionCookieService,
    SessionAuthService,
    SessionLogoutService,
    SessionsService,
    SessionBindingGuard,
    SessionTerminationHooks,
    UserLoginObservers,
    TerminateSessionsService,
    UserLoginStageService,
    { provide: APP_FILTER, useClass: SessionBindingBrokenFilter },
  ],
  exports: exported,
})
export class UserLoginModule extends ConfigurableModuleClass implements OnApplicationShutdown {
  constructor(private readonly geoip: GeoIpService) {
    super();
  }

  onApplicationShutdown(): void {
    this.geoip.close();
  }
}
