import { CoreModule, type Clock } from '@idp/core';
import { FlowsModule } from '@idp/flows';
import { UserLoginModule } from '@idp/user-login';
import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DestinationStream } from 'pino';
import { ApiDocsController, OpenApiDocument } from './api/docs/api-docs.controller.js';
import { EventsController } from './api/events/events.controller.js';
import { FlowBindingsController } from './api/flows/flow-bindings.controller.js';
import { FlowsController } from './api/flows/flows.controller.js';
import { HealthController } from './api/health/health.controller.js';
import { SessionPresenter } from './api/sessions/session.presenter.js';
import { SessionsController } from './api/sessions/sessions.controller.js';
import {
  AllStagesController,
  IdentificationStagesController,
  PasswordStagesController,
  PromptStagesController,
  UserLoginStagesController,
  UserLogoutStagesController,
  UserWriteStagesController,
} from './api/stages/stages.controller.js';
import { ApiValidationPipe } from './api/common/api-validation.pipe.js';
import { UsersController } from './api/users/users.controller.js';
import { ApiAuthGuard } from './auth/api-auth.guard.js';
import { BootstrapService } from './bootstrap/bootstrap.service.js';
import type { AppConfig } from './config/app-config.js';
import { APP_CONFIG } from './config/app-config.token.js';
import { dataSourceOptions } from './database/data-source-options.js';
import { ApiExceptionFilter } from './hardening/api-exception.filter.js';
import { HostileInputGuard } from './hardening/hostile-input.guard.js';
import { HousekeepingService } from './housekeeping/housekeeping.service.js';
import { OperationsModule } from './operations/operations.module.js';
import { UserLoginStageHandler } from './stages/user-login.stage-handler.js';
import { UserLogoutStageHandler } from './stages/user-logout.stage-handler.js';
import { WebController } from './web/web.controller.js';

/** Where the server's data lives; `schema` isolates test suites that share one database. */
export interface DatabaseTarget {
  url: string;
  schema?: string;
}

export interface AppModuleExtras {
  /** Replaces the system clock; tests use it to move time. */
  clock?: Clock;
  /** Where log lines go instead of standard output; tests read them from here. */
  logDestination?: DestinationStream;
}

/** The identity server: flows, the User Login stage, the admin API and the web UI. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, database: DatabaseTarget, extras: AppModuleExtras = {}): DynamicModule {
    const userLogin = UserLoginModule.forRoot({
      geoipCityDb: config.geoipCityDb,
      geoipAsnDb: config.geoipAsnDb,
      geoipCityDbOverlay: config.geoipCityDbOverlay,
      geoipAsnDbOverlay: config.geoipAsnDbOverlay,
      cookieName: config.sessionCookieName,
      cookieSecure: config.cookieSecure,
      browserSessionIdleMs: config.sessionBrowserIdleMs,
      sessionCache: config.sessionCache,
      activityFlushMs: config.sessionActivityFlushMs,
      listenerReconnectMs: config.sessionListenerReconnectMs,
      listenerUrl: config.sessionCacheListenUrl,
      dbscCookieTtlMs: config.dbscCookieTtlMs,
    });
    return {
      module: AppModule,
      imports: [
        // The configuration was checked before the app was built (loadConfig); ConfigService
        // serves that checked object under `app`, and never reads process.env on its own.
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          validatePredefined: false,
          skipProcessEnv: true,
          load: [() => ({ app: config })],
        }),
        // Migrations run at start; the schema is never synchronised from entities.
        TypeOrmModule.forRoot({ ...dataSourceOptions(database.url, database.schema), migrationsRun: true }),
        ScheduleModule.forRoot(),
        CoreModule.forRoot({ eventRetentionMs: config.eventRetentionMs }, extras.clock),
        FlowsModule.forRoot({ cookieSecure: config.cookieSecure, loginThrottle: config.loginThrottle }),
        userLogin,
        OperationsModule.forRoot(userLogin, config, extras.logDestination),
      ],
      controllers: [
        HealthController,
        UsersController,
        SessionsController,
        UserLoginStagesController,
        FlowsController,
        FlowBindingsController,
        AllStagesController,
        IdentificationStagesController,
        PasswordStagesController,
        PromptStagesController,
        UserWriteStagesController,
        UserLogoutStagesController,
        EventsController,
        WebController,
        ApiDocsController,
      ],
      providers: [
        { provide: APP_CONFIG, inject: [ConfigService], useFactory: (c: ConfigService) => c.getOrThrow('app') },
        // One validation pipe for every DTO-typed body and query: 400 `{field: [message]}`.
        { provide: APP_PIPE, useClass: ApiValidationPipe },
        { provide: APP_GUARD, useClass: HostileInputGuard },
        BootstrapService,
        HousekeepingService,
        UserLoginStageHandler,
        UserLogoutStageHandler,
        SessionPresenter,
        OpenApiDocument,
        ApiAuthGuard,
        // Registered by the root module, so it is consulted after the libraries' own filters
        // (e.g. the binding filter's redirect): only what nothing else handles reaches it. It turns
        // database outages into 503 and other errors into a logged 500, then answers as
        // HtmlErrorPageFilter does (an HTML page for a browser navigation, JSON otherwise).
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
      ],
    };
  }
}
